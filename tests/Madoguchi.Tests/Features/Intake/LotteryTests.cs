using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Intake;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Madoguchi.Tests.Features.Intake;

/// <summary>Lottery forms: applications until the deadline, one reproducible draw from a recorded seed, results by e-mail.</summary>
public sealed class LotteryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Lottery = """{ "mode": "lottery", "closes": "2025-04-10T17:00", "perPerson": { "by": "email", "max": 1, "email": "email" } }""";
    private static readonly DateTimeOffset AfterDeadline = new(2025, 4, 10, 8, 0, 0, TimeSpan.Zero); // 17:00 Japan time

    private static async Task<List<string>> ApplyAsync(MadoguchiFactory app, int count)
    {
        using var client = app.CreatePlainClient();
        var receipts = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var (status, body) = await IntakeKit.PostAsync(client, IntakeKit.Person(i, $"resident{i}@example.jp"), language: i % 2 == 0 ? "en" : "ja");
            Assert.Equal(HttpStatusCode.Created, status);
            receipts.Add(body["receiptNumber"]!.GetValue<string>());
        }
        return receipts;
    }

    [Fact]
    public async Task A_draw_from_a_recorded_seed_gives_the_same_winners_when_redone_and_cannot_be_drawn_again()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        await IntakeKit.PublishAsync(app, Lottery);
        var receipts = await ApplyAsync(app, 30);

        // Before the deadline there is no draw (the app's clock; the CLI below runs on the real one, long after it).
        await using (var scope = app.Scope())
        {
            var early = await Assert.ThrowsAsync<FormRefusedException>(() => scope.ServiceProvider.GetRequiredService<IntakeLottery>().DrawAsync(IntakeKit.Slug, 10, "koto-2025", "test", Ct));
            Assert.Contains("締切（令和7年4月10日 17:00）前", early.Message);
        }

        var drawn = await CliRunner.RunAsync(app.Database, "form", "draw", IntakeKit.Slug, "--winners", "10", "--seed", "koto-2025");
        Assert.True(drawn.ExitCode == 0, drawn.Stderr);
        var winners = drawn.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Assert.Equal(10, winners.Count);
        Assert.Subset(receipts.ToHashSet(), winners.ToHashSet());
        Assert.Contains("シード koto-2025", drawn.Stderr);

        // Redone from the seed (by the CLI, and by anyone with the receipt numbers): the same winners.
        var verified = await CliRunner.RunAsync(app.Database, "form", "draw", IntakeKit.Slug, "--verify");
        Assert.True(verified.ExitCode == 0, verified.Stderr);
        Assert.Equal(drawn.Stdout, verified.Stdout);
        Assert.Equal(winners, IntakeLottery.Pick(receipts.AsEnumerable().Reverse(), "koto-2025", 10));
        Assert.NotEqual(winners, IntakeLottery.Pick(receipts, "another-seed", 10));

        // One draw per form: a second one, with any seed, is refused.
        var again = await CliRunner.RunAsync(app.Database, "form", "draw", IntakeKit.Slug, "--winners", "10", "--seed", "other");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("抽選済み", again.Stderr);

        await using var check = app.Scope();
        var db = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.FormDrawn, Ct);
        Assert.Contains("seed=koto-2025", entry.Detail);
        Assert.Contains("entrants=30 winners=10", entry.Detail);
    }

    [Fact]
    public async Task Applications_after_the_deadline_are_refused_and_every_applicant_is_mailed_the_result_in_their_language()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited(smtp.Settings()));
        await IntakeKit.PublishAsync(app, Lottery);
        var receipts = await ApplyAsync(app, 6);
        for (var i = 0; i < 6; i++) await smtp.NextAsync(); // acknowledgements

        app.Clock.Set(AfterDeadline);
        using (var client = app.CreatePlainClient())
        {
            var (status, body) = await IntakeKit.PostAsync(client, IntakeKit.Person(99, "late@example.jp"));
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Equal("closed", body["code"]?.GetValue<string>());
        }

        // Drawn from the staff page's button.
        using var staff = await app.SignedInClientAsync(Roles.Dx);
        var page = await staff.GetStringAsync($"/staff/forms/{IntakeKit.Slug}/intake", Ct);
        Assert.Contains("data-testid=\"draw\"", page);
        var posted = await MadoguchiFactory.PostFormAsync(staff, $"/staff/forms/{IntakeKit.Slug}/intake", new() { ["Input.Winners"] = "2", ["Input.Seed"] = "public-seed" });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var result = await staff.GetStringAsync($"/staff/forms/{IntakeKit.Slug}/intake", Ct);
        Assert.Contains("送信 6 件、失敗 0 件", result);
        Assert.Contains("<code data-testid=\"seed\">public-seed</code>", result);
        Assert.DoesNotContain("data-testid=\"draw\"", result);
        var winners = IntakeLottery.Pick(receipts, "public-seed", 2);

        var mails = new List<MimeKit.MimeMessage>();
        for (var i = 0; i < 6; i++) mails.Add(await smtp.NextAsync());
        Assert.Equal(receipts.Order(), mails.Select(m => receipts.Single(r => (m.Subject ?? "").Contains(r, StringComparison.Ordinal))).Order());
        foreach (var mail in mails)
        {
            var receipt = receipts.Single(r => (mail.Subject ?? "").Contains(r, StringComparison.Ordinal));
            var n = receipts.IndexOf(receipt) + 1;
            Assert.Equal($"resident{n}@example.jp", mail.To.ToString());
            var won = winners.Contains(receipt);
            if (n % 2 == 0) Assert.Contains(won ? "you have been selected" : "not selected", mail.Subject, StringComparison.Ordinal);
            else Assert.Contains(won ? "当選" : "落選", mail.Subject);
            Assert.DoesNotContain("江東", mail.TextBody ?? "", StringComparison.Ordinal); // no answers in a mail
        }

        // The staff list shows each submission's result.
        var list = await staff.GetStringAsync($"/staff/forms/{IntakeKit.Slug}/submissions", Ct);
        Assert.Equal(2, list.Split("data-testid=\"lottery\">当選<").Length - 1);
        Assert.Equal(4, list.Split("data-testid=\"lottery\">落選<").Length - 1);
    }

    [Fact]
    public async Task Staff_without_the_role_to_draw_see_the_form_but_cannot_draw()
    {
        await using var app = await MadoguchiFactory.CreateAsync(IntakeKit.Unlimited());
        var department = await IntakeKit.PublishInDepartmentAsync(app, Lottery);
        app.Clock.Set(AfterDeadline);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        using var staff = await app.SignedInClientAsync(Roles.Staff, department);
        var page = await staff.GetStringAsync($"/staff/forms/{IntakeKit.Slug}/intake", Ct);
        Assert.Contains("締切後に抽選", page);
        Assert.DoesNotContain("data-testid=\"draw\"", page);
        var posted = await MadoguchiFactory.PostFormAsync(staff, $"/staff/forms/{IntakeKit.Slug}/intake", new() { ["Input.Winners"] = "1" });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("/staff/denied", posted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(0, await db.IntakeDraws.CountAsync(Ct));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A real SMTP server on loopback collecting the mails it receives (as in MailTests).</summary>
    private sealed class Smtp : MessageStore, IAsyncDisposable
    {
        private readonly System.Threading.Channels.Channel<MimeKit.MimeMessage> _inbox = System.Threading.Channels.Channel.CreateUnbounded<MimeKit.MimeMessage>();
        private SmtpServer.SmtpServer? _server;
        private Task? _running;
        private int _port;

        public static Task<Smtp> StartAsync()
        {
            var smtp = new Smtp { _port = FreePort() };
            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(smtp);
            smtp._server = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder().ServerName("localhost")
                .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, smtp._port))).Build(), services);
            smtp._running = smtp._server.StartAsync(Ct);
            return Task.FromResult(smtp);
        }

        public Dictionary<string, string?> Settings() => new()
        {
            ["Madoguchi:Smtp:Host"] = "127.0.0.1",
            ["Madoguchi:Smtp:Port"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Madoguchi:Smtp:Security"] = "none",
            ["Madoguchi:Smtp:From"] = "madoguchi@city.example.jp",
        };

        public async Task<MimeKit.MimeMessage> NextAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            return await _inbox.Reader.ReadAsync(timeout.Token);
        }

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            _inbox.Writer.TryWrite(MimeKit.MimeMessage.Load(new MemoryStream(buffer.ToArray()), cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }

        public async ValueTask DisposeAsync()
        {
            _server?.Shutdown();
            if (_running is not null) await _running;
        }
    }
}
