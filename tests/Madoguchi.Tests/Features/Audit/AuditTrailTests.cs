using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Madoguchi.Tests.Features.Audit;

public sealed class AuditTrailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<AuditEntry>> EntriesAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct);
    }

    private static async Task<AuditVerification> VerifyAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await AuditVerifier.VerifyAsync(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>(), [], Ct);
    }

    internal static async Task<string> TokenAsync(MadoguchiFactory app, string email, string scopes)
    {
        await using var scope = app.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        return (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(user!, "test", scopes, null, Ct)).Secret;
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Appends_from_parallel_requests_and_another_instance_keep_one_valid_chain()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var procedures = Enumerable.Range(0, 12).Select(i => Builders.Procedure($"P{i:000}")).ToArray();
        await app.SaveAsync(procedures);
        var (email, _) = await app.CreateUserAsync(Roles.Dx);
        var token = await TokenAsync(app, email, "inventory:write");
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var before = (await EntriesAsync(app)).Count;

        // 24 PATCHes (each a change) through the app, and 3 token creations through the CLI — a
        // second app instance with its own connection pool — all at once.
        var patches = procedures.SelectMany(p => Procedure.KnownTools.Take(2).Select(tool => (p.Id, tool)))
            .Select(async x => (await client.PatchAsJsonAsync($"/api/v1/procedures/{x.Id}", new { tool = x.tool }, Ct)).StatusCode).ToList();
        var cli = Enumerable.Range(0, 3).Select(_ => CliRunner.RunAsync(app.Database, "token", "create", "--email", email, "--scope", "inventory:read")).ToList();
        Assert.All(await Task.WhenAll(patches), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.All(await Task.WhenAll(cli), r => Assert.Equal(0, r.ExitCode));

        var entries = await EntriesAsync(app);
        Assert.Equal(before + 24 + 3, entries.Count);
        Assert.Equal(24, entries.Count(e => e.Action == AuditActions.InventoryPatched));
        Assert.Equal(3, entries.Count(e => e.Action == AuditActions.TokenCreated && e.Actor.StartsWith("cli:", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        var verified = await VerifyAsync(app);
        Assert.True(verified.Ok, verified.Message);
    }

    [Fact]
    public async Task Importing_and_publishing_a_form_and_revoking_a_permission_are_recorded()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await Madoguchi.Tests.Features.Submissions.SubmissionKit.PublishAsync(app);
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = new StaffUser { UserName = "kana@example.jp", Email = "kana@example.jp" };
            Assert.True((await users.CreateAsync(user, "correct horse battery staple")).Succeeded);
            await StaffAccounts.GrantAsync(scope.ServiceProvider, user, Permissions.MyNumber);
            await StaffAccounts.RevokeAsync(scope.ServiceProvider, user, Permissions.MyNumber);
        }

        var entries = await EntriesAsync(app);
        var imported = Assert.Single(entries, e => e.Action == AuditActions.FormImported);
        Assert.Equal(("form", Madoguchi.Tests.Features.Submissions.SubmissionKit.Slug), (imported.TargetType, imported.TargetId));
        var published = Assert.Single(entries, e => e.Action == AuditActions.FormPublished);
        Assert.StartsWith("version=1 procedure=KT-T0001", published.Detail);
        Assert.Single(entries, e => e.Action == AuditActions.PermissionRevoked && e.Detail == "permission=my-number");

        // Publishing the same definition again changes nothing and records nothing.
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Forms.FormService>().PublishAsync(Madoguchi.Tests.Features.Submissions.SubmissionKit.Slug, "test", Ct);
        }
        Assert.Single(await EntriesAsync(app), e => e.Action == AuditActions.FormPublished);
    }

    /// <summary>Makes the database refuse audit inserts, as a full disk or a revoked grant would.</summary>
    internal static async Task RefuseAuditWritesAsync(MadoguchiFactory app)
    {
        await using var ctx = app.Database.CreateContext();
        if (app.Database.IsPostgres)
        {
            await ctx.Database.ExecuteSqlRawAsync("CREATE FUNCTION audit_refuses() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$", Ct);
            await ctx.Database.ExecuteSqlRawAsync("CREATE TRIGGER audit_refuses BEFORE INSERT ON \"AuditEntries\" FOR EACH ROW EXECUTE FUNCTION audit_refuses()", Ct);
        }
        else
        {
            await ctx.Database.ExecuteSqlRawAsync("CREATE TRIGGER audit_refuses BEFORE INSERT ON \"AuditEntries\" BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END", Ct);
        }
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Every_read_of_a_sensitive_value_is_recorded_and_without_its_record_the_value_is_not_returned()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await using (var scope = app.Scope())
        {
            var vault = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Protection.PersonalDataVault>();
            await vault.PutAsync("submission", "S-1", "myNumber", "123456789018", Ct);
            Assert.Equal("123456789018", await vault.GetAsync("submission", "S-1", "myNumber", "受付審査", Ct));
        }
        var viewed = Assert.Single(await EntriesAsync(app), e => e.Action == AuditActions.PersonalDataViewed && e.TargetType == "submission");
        Assert.Equal("S-1", viewed.TargetId);
        Assert.Equal("myNumber（受付審査）", viewed.Detail);
        Assert.DoesNotContain("123456789018", viewed.Detail);

        await RefuseAuditWritesAsync(app);
        await using (var scope = app.Scope())
        {
            var vault = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Protection.PersonalDataVault>();
            string? value = null;
            await Assert.ThrowsAnyAsync<Exception>(async () => value = await vault.GetAsync("submission", "S-1", "myNumber", "受付審査", Ct));
            Assert.Null(value);
        }
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_staff_list_is_not_shown_when_its_view_cannot_be_recorded()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (client, login) = await app.SignInNewUserAsync(Roles.Admin);
        var page = await client.GetStringAsync("/staff/admin/users", Ct);
        Assert.Contains(login.Email, page);
        Assert.Contains(await EntriesAsync(app), e => e.Action == AuditActions.PersonalDataViewed && e.TargetType == "staff-users");

        // The audit store refuses writes (full disk, revoked grant …): the list must not be shown.
        await RefuseAuditWritesAsync(app);
        var refused = await client.GetAsync("/staff/admin/users", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(login.Email, body);
        Assert.DoesNotContain("登録済みのアカウント", body);
    }

    [Fact]
    public async Task Sign_in_steps_failures_and_sign_out_are_recorded_without_passwords()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (client, login) = await app.SignInNewUserAsync(Roles.Dx);
        const string wrong = "wrong-password-4711-zz";
        var other = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(other, "/staff/signin", new() { ["Input.Email"] = login.Email, ["Input.Password"] = wrong });
        await MadoguchiFactory.PostFormAsync(other, "/staff/signin", new() { ["Input.Email"] = "nobody@test.example", ["Input.Password"] = wrong });
        var signedOut = await MadoguchiFactory.PostFormAsync(client, "/staff/signout", [], getUrl: "/staff/profile");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        var entries = await EntriesAsync(app);
        string userId;
        await using (var scope = app.Scope())
        {
            userId = (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(login.Email))!.Id;
        }
        var mine = entries.Where(e => e.TargetId == userId).Select(e => e.Action).ToList();
        Assert.Equal([AuditActions.UserCreated, AuditActions.RoleGranted, AuditActions.SignIn, AuditActions.SecondFactorEnrolled, AuditActions.SecondFactor, AuditActions.SignInFailed, AuditActions.SignOut], mine);
        Assert.Contains(entries, e => e.Action == AuditActions.SignInFailed && e.TargetId is null && e.Actor == "anonymous");
        Assert.All(entries.Where(e => e.TargetId == userId && e.Action != AuditActions.UserCreated && e.Action != AuditActions.RoleGranted),
            e => Assert.Equal(userId, e.Actor));
        // No secret and no typed address ends up in the trail.
        var everything = string.Join("\n", entries.Select(AuditSearch.CsvLine));
        Assert.DoesNotContain(wrong, everything);
        Assert.DoesNotContain(login.Password, everything);
        Assert.DoesNotContain("nobody@test.example", everything);
        // The account's name is snapshotted as the actor's name (here the address, as no display name was given), never in the details.
        Assert.DoesNotContain(login.Email, string.Join("\n", entries.Select(e => $"{e.Actor}|{e.TargetId}|{e.Detail}")));
        Assert.All(entries.Where(e => e.Actor != "system"), e => Assert.Equal("127.0.0.1", e.ClientAddress));
    }

    [Fact]
    public async Task Tokens_and_inventory_changes_are_recorded_with_the_change()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var p = Builders.Procedure("A001");
        await app.SaveAsync(p);
        var (email, _) = await app.CreateUserAsync(Roles.Dx);
        var token = await TokenAsync(app, email, "inventory:write");
        var api = app.CreatePlainClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync($"/api/v1/procedures/{p.Id}", new { tool = "LoGoフォーム" }, Ct)).StatusCode);
        // The same value again changes nothing and records nothing.
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsJsonAsync($"/api/v1/procedures/{p.Id}", new { tool = "LoGoフォーム" }, Ct)).StatusCode);
        var list = await CliRunner.RunAsync(app.Database, "token", "list", "--email", email);
        var id = System.Text.Json.JsonDocument.Parse(list.Stdout).RootElement[0].GetProperty("id").GetString()!;
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "token", "revoke", "--email", email, "--id", id)).ExitCode);

        var entries = await EntriesAsync(app);
        var patched = Assert.Single(entries, e => e.Action == AuditActions.InventoryPatched);
        Assert.Equal(p.Id.ToString(), patched.TargetId);
        Assert.Contains("fields=Tool", patched.Detail);
        Assert.DoesNotContain(token, string.Join("\n", entries.Select(AuditSearch.CsvLine)));
        var revoked = Assert.Single(entries, e => e.Action == AuditActions.TokenRevoked);
        Assert.Equal(id, revoked.TargetId);
        Assert.StartsWith("cli:", revoked.Actor, StringComparison.Ordinal);
        Assert.Single(entries, e => e.Action == AuditActions.TokenCreated && e.TargetId == id);
    }

    [Fact]
    public async Task The_auditor_searches_by_period_and_action_and_exports_csv()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var auditor = await app.SignedInClientAsync(Roles.Auditor);
        var all = await auditor.GetStringAsync("/staff/audit", Ct);
        Assert.Contains("<code>staff.second-factor.enrolled</code>", all);
        var page = await auditor.GetStringAsync("/staff/audit?Filter.Action=staff.second-factor.enrolled", Ct);
        Assert.Contains("<code>staff.second-factor.enrolled</code>", page);
        Assert.DoesNotContain("<code>staff.user.created</code>", page);
        Assert.Contains("<caption>監査ログ（新しい順）</caption>", page);

        // 2025-04-01 09:00 in Japan is the test clock: the next Japan day has nothing.
        var later = await auditor.GetStringAsync("/staff/audit?Filter.From=2025-04-02&Filter.To=2025-04-30", Ct);
        Assert.Contains("0 件", later);
        var invalid = await auditor.GetStringAsync("/staff/audit?Filter.From=2025-13-45", Ct);
        Assert.Contains("開始日は 2025-04-01 や 令和7年4月1日 の形で入力してください", invalid);

        var csv = await auditor.GetAsync("/staff/audit?handler=csv&Filter.From=2025-04-01&Filter.To=2025-04-01", Ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync(Ct)).TrimStart('\uFEFF');
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(AuditSearch.CsvHeader, lines[0]);
        Assert.Contains(lines, l => l.Contains(",staff.user.created,", StringComparison.Ordinal));
        // Searches and exports are themselves in the trail.
        var entries = await EntriesAsync(app);
        Assert.Contains(entries, e => e.Action == AuditActions.AuditSearched);
        Assert.Contains(entries, e => e.Action == AuditActions.AuditExported);

        var dx = await app.SignedInClientAsync(Roles.Dx);
        var denied = await dx.GetAsync("/staff/audit", Ct);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/staff/denied", denied.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_cli_exports_a_period_as_csv()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.CreateUserAsync(Roles.Dx);
        var export = await CliRunner.RunAsync(app.Database, "audit", "export", "--from", "2025-04-01", "--to", "令和7年4月1日");
        Assert.Equal(0, export.ExitCode);
        var lines = export.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(AuditSearch.CsvHeader, lines[0].TrimStart('\uFEFF'));
        Assert.Equal(2, lines.Length - 1);
        Assert.Contains("2025-04-01T09:00:00.000+09:00", lines[1]);
        var empty = await CliRunner.RunAsync(app.Database, "audit", "export", "--from", "2025-04-02", "--to", "2025-04-03");
        Assert.Single(empty.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        var bad = await CliRunner.RunAsync(app.Database, "audit", "export", "--from", "2025-04-05", "--to", "2025-04-01");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--from 2025-04-05 より前です", bad.Stderr);
    }

    [Fact]
    public async Task Checkpoints_are_written_outside_the_database_after_n_appends_and_on_demand()
    {
        var file = Path.Combine(Path.GetTempPath(), "madoguchi-tests", Guid.NewGuid().ToString("N") + ".checkpoints");
        try
        {
            await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Audit:CheckpointEveryEntries"] = "2", ["Madoguchi:Audit:CheckpointFile"] = file });
            await app.SignedInClientAsync(Roles.Dx);
            // The writer runs in the background: give it a moment.
            for (var i = 0; i < 100 && !File.Exists(file); i++) await Task.Delay(100, Ct);
            var checkpoints = await AuditCheckpoints.ReadAsync(file, Ct);
            Assert.NotEmpty(checkpoints);
            var entries = await EntriesAsync(app);
            var first = checkpoints[0];
            Assert.Equal(entries.Single(e => e.Sequence == first.Count).Hash, first.Hash);
            Assert.StartsWith("# Madoguchi audit checkpoints", (await File.ReadAllLinesAsync(file, Ct))[0]);
        }
        finally
        {
            File.Delete(file);
        }

        // The CLI's default: beside the database file and its files folder, not inside either.
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        Assert.Equal(0, (await CliRunner.RunAsync(db, "user", "create", "--email", "a@test.example", "--password", "correct-horse-battery", "--role", "dx")).ExitCode);
        var written = await CliRunner.RunAsync(db, "audit", "checkpoint");
        Assert.Equal(0, written.ExitCode);
        var expected = AuditCheckpoints.DefaultPath(db.Storage);
        Assert.True(File.Exists(expected), expected);
        Assert.False(expected.StartsWith(db.Storage.FilesFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (!db.IsPostgres) Assert.Equal(Path.Combine(db.Folder, "madoguchi.db.audit-checkpoints"), expected);
        var line = Assert.Single(await AuditCheckpoints.ReadAsync(expected, Ct));
        Assert.Equal(2, line.Count);
        Assert.Equal(written.Stdout.Trim(), line.ToLine());
    }

    [Fact]
    public async Task A_checkpoint_is_mailed_through_smtp_when_configured()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var store = new Inbox();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(store);
        var server = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build(), services);
        var running = server.StartAsync(Ct);
        try
        {
            await using var app = await MadoguchiFactory.CreateAsync(new()
            {
                ["Madoguchi:Smtp:Host"] = "127.0.0.1",
                ["Madoguchi:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Madoguchi:Smtp:Security"] = "none",
                ["Madoguchi:Smtp:From"] = "madoguchi@city.example.jp",
                ["Madoguchi:Audit:CheckpointMailTo"] = "audit-office@city.example.jp",
                ["Madoguchi:Audit:CheckpointFile"] = Path.Combine(TempFolder(), "cp.txt"),
            });
            await app.CreateUserAsync(Roles.Dx);
            AuditCheckpoint? written;
            await using (var scope = app.Scope())
            {
                written = await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().WriteAsync(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>(), Ct);
            }
            Assert.NotNull(written);
            var message = Assert.Single(store.Messages);
            Assert.Contains("audit-office@city.example.jp", message);
            Assert.Contains(written.ToLine(), message);
        }
        finally
        {
            server.Shutdown();
            await running;
        }

        static string TempFolder()
        {
            var f = Path.Combine(Path.GetTempPath(), "madoguchi-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(f);
            return f;
        }
    }

    private sealed class Inbox : MessageStore
    {
        public List<string> Messages { get; } = [];

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            // Decoded as a mail client would (the Japanese body is transfer-encoded).
            var message = MimeKit.MimeMessage.Load(new MemoryStream(buffer.ToArray()), cancellationToken);
            lock (Messages) Messages.Add($"To: {message.To}\nSubject: {message.Subject}\n\n{message.TextBody}");
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
