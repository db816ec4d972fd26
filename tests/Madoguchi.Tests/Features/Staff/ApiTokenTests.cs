using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>Personal access tokens: scoped, department-limited, expiring, revocable, never stronger than the owner.</summary>
[Trait("storage", "true")]
public sealed class ApiTokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> TokenAsync(MadoguchiFactory app, string email, string scopes, DateOnly? expires = null)
    {
        await using var scope = app.Scope();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        return (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(owner!, "test", scopes, expires, Ct)).Secret;
    }

    private static HttpClient Bearer(MadoguchiFactory app, string token)
    {
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static Task<HttpResponseMessage> PatchTool(HttpClient client, Guid id, string tool)
        => client.PatchAsJsonAsync($"/api/v1/procedures/{id}", new { tool }, Ct);

    [Fact]
    public async Task A_read_token_reads_its_department_only_and_cannot_write_a_write_token_can()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var ours = Builders.Department("区民部", "区民課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        var mine = Builders.Procedure("KT-1", ours, p => p.Name = "住民票の写しの交付申請");
        var other = Builders.Procedure("KT-2", theirs, p => p.Name = "要介護認定申請");
        await app.SaveAsync(ours, theirs, mine, other);
        var (staff, _) = await app.CreateUserAsync(Roles.Staff, ours.Id);
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);
        var read = Bearer(app, await TokenAsync(app, staff, "inventory:read"));

        var list = await read.GetStringAsync("/api/v1/procedures", Ct);
        Assert.Contains("住民票の写しの交付申請", list);
        Assert.DoesNotContain("要介護認定申請", list);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchTool(read, mine.Id, "LoGoフォーム")).StatusCode);

        var write = Bearer(app, await TokenAsync(app, dx, "inventory:write"));
        var patched = await PatchTool(write, mine.Id, "LoGoフォーム");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Contains("LoGoフォーム", await write.GetStringAsync("/api/v1/procedures", Ct));
        var invalid = await PatchTool(write, mine.Id, "FAX");
        Assert.Equal((HttpStatusCode)422, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_is_never_stronger_than_its_owner()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        await app.SaveAsync(dept);
        var (staff, _) = await app.CreateUserAsync(Roles.Staff, dept.Id);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => TokenAsync(app, staff, "inventory:write"));
        Assert.Contains("このアカウントの権限では付与できません", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => TokenAsync(app, staff, "cases:delete"));

        // A role lost after the token was made takes its power away from the token too.
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);
        var token = Bearer(app, await TokenAsync(app, dx, "inventory:read"));
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/procedures", Ct)).StatusCode);
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            await users.RemoveFromRoleAsync((await users.FindByEmailAsync(dx))!, Roles.Dx);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await token.GetAsync("/api/v1/procedures", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_revoked_or_expired_or_forged_token_is_refused_and_a_token_opens_no_staff_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);
        var revoked = await TokenAsync(app, dx, "inventory:read");
        var expiring = await TokenAsync(app, dx, "inventory:read", new DateOnly(2025, 4, 30));
        Assert.Equal(HttpStatusCode.OK, (await Bearer(app, expiring).GetAsync("/api/v1/procedures", Ct)).StatusCode);
        await using (var scope = app.Scope())
        {
            var owner = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(dx);
            var tokens = scope.ServiceProvider.GetRequiredService<ApiTokens>();
            var id = (await tokens.ListAsync(owner!.Id, Ct)).Single(t => t.ExpiresAt > app.Clock.GetUtcNow().AddDays(60)).Id;
            Assert.True(await tokens.RevokeAsync(owner.Id, id, Ct));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(app, revoked).GetAsync("/api/v1/procedures", Ct)).StatusCode);
        // Valid through 30 April in Japan time, refused from 1 May 00:00 JST.
        app.Clock.Set(new DateTimeOffset(2025, 4, 30, 23, 59, 0, TimeSpan.FromHours(9)));
        Assert.Equal(HttpStatusCode.OK, (await Bearer(app, expiring).GetAsync("/api/v1/procedures", Ct)).StatusCode);
        app.Clock.Set(new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.FromHours(9)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(app, expiring).GetAsync("/api/v1/procedures", Ct)).StatusCode);

        var forged = revoked[..^4] + (revoked[^4..] == "AAAA" ? "BBBB" : "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(app, forged).GetAsync("/api/v1/procedures", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreatePlainClient().GetAsync("/api/v1/procedures", Ct)).StatusCode);
        var fresh = await TokenAsync(app, dx, "inventory:read");
        var page = await Bearer(app, fresh).GetAsync("/staff/inventory", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        // Public endpoints stay public.
        Assert.Equal(HttpStatusCode.OK, (await app.CreatePlainClient().GetAsync("/api/v1/kpi/online", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_expiry_beyond_five_years_is_refused_with_the_latest_date_allowed_and_no_token_is_made()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);

        var result = await CliRunner.RunAsync(app.Database, "token", "create", "--email", dx, "--scope", "inventory:read", "--expires", "9999-12-31");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("有効期限 9999-12-31 は遠すぎます。5年以内", result.Stderr);
        Assert.DoesNotContain("out of range", result.Stderr);
        await using var scope = app.Scope();
        Assert.Empty(scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Data.MadoguchiDbContext>().ApiTokens);
    }

    [Fact]
    public async Task Only_a_hash_is_stored_and_the_cli_prints_the_token_alone_on_the_last_line()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);

        var result = await CliRunner.RunAsync(app.Database, "token", "create", "--email", dx, "--scope", "inventory:read", "--expires", "2027-03-31");

        Assert.Equal(0, result.ExitCode);
        var token = result.Stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.StartsWith("mdg_", token);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(app, token).GetAsync("/api/v1/procedures", Ct)).StatusCode);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Data.MadoguchiDbContext>();
            var stored = db.ApiTokens.Single();
            Assert.DoesNotContain(token[(ApiTokens.Prefix.Length + 33)..], stored.SecretHash);
            Assert.Equal(new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.FromHours(9)), stored.ExpiresAt);
        }
        var bad = await CliRunner.RunAsync(app.Database, "token", "create", "--email", dx, "--scope", "payments:read");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("スコープ payments:read はありません", bad.Stderr);
        var list = await CliRunner.RunAsync(app.Database, "token", "list", "--email", dx);
        Assert.Contains("inventory:read", list.Stdout);
        Assert.DoesNotContain(token, list.Stdout);
    }

    [Fact]
    public async Task The_cli_lists_token_times_in_japan_time()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "token", "create", "--email", dx, "--scope", "inventory:read", "--expires", "2027-03-31")).ExitCode);

        var list = await CliRunner.RunAsync(app.Database, "token", "list", "--email", dx);

        Assert.Equal(0, list.ExitCode);
        var token = System.Text.Json.Nodes.JsonNode.Parse(list.Stdout)!.AsArray().Single()!;
        Assert.EndsWith("+09:00", token["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
        // Valid to the end of 2027-03-31 in Japan.
        Assert.Equal("2027-04-01T00:00:00+09:00", token["expiresAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task Token_use_is_rate_limited_with_429_and_Retry_After_per_configuration()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:token:PermitLimit"] = "2", ["Madoguchi:RateLimits:token:WindowSeconds"] = "60" });
        var (dx, _) = await app.CreateUserAsync(Roles.Dx);
        var client = Bearer(app, await TokenAsync(app, dx, "inventory:read"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/procedures", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/procedures", Ct)).StatusCode);
        var third = await client.GetAsync("/api/v1/procedures", Ct);

        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.InRange(third.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
    }

    [Fact]
    public async Task A_token_is_created_on_the_profile_page_shown_once_and_revoked_there()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await app.SignedInClientAsync(Roles.Dx);

        var created = await MadoguchiFactory.PostFormAsync(client, "/staff/profile?handler=Create", new() { ["Input.Name"] = "集計", ["Input.Scopes"] = "inventory:read", ["Input.Expires"] = "2026-03-31" }, getUrl: "/staff/profile");
        var html = await created.Content.ReadAsStringAsync(Ct);
        var token = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"new-token\">(mdg_[^<]+)<").Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(app, token).GetAsync("/api/v1/procedures", Ct)).StatusCode);
        Assert.DoesNotContain(token, await client.GetStringAsync("/staff/profile", Ct));

        var id = System.Text.RegularExpressions.Regex.Match(await client.GetStringAsync("/staff/profile", Ct), "id=([0-9a-f-]{36})").Groups[1].Value;
        var revoked = await MadoguchiFactory.PostFormAsync(client, $"/staff/profile?handler=Revoke&id={id}", [], getUrl: "/staff/profile");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(app, token).GetAsync("/api/v1/procedures", Ct)).StatusCode);
    }
}
