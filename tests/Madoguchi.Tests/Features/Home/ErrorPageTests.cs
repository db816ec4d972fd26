using System.Net;
using System.Text.Json;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Home;
using Madoguchi.Web.Shared.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Madoguchi.Tests.Features.Home;

/// <summary>What a resident or an API client gets when a request ends in an error with no body of its own.</summary>
public sealed class ErrorPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_resident_stopped_by_the_rate_limit_is_told_how_long_to_wait_in_their_language()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:lookup:PermitLimit"] = "1" });
        var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/status", Ct)).StatusCode);

        var limited = await client.GetAsync("/status", Ct);
        var html = WebUtility.HtmlDecode(await limited.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Contains("しばらく待ってから、もう一度お試しください", html, StringComparison.Ordinal);
        Assert.Contains("1分ほど待ってから、前のページに戻ってもう一度お試しください。", html, StringComparison.Ordinal);

        var english = app.CreateEnglishClient();
        await english.GetAsync("/status", Ct);
        var englishHtml = await (await english.GetAsync("/status", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("Wait about 1 minute, then go back to the previous page and try again.", englishHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_calls_get_problem_details_not_a_page_when_rate_limited_or_unknown()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:submit:PermitLimit"] = "1" });
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())).StatusCode);

        var limited = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        using (var json = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal(429, json.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("リクエストが多すぎます。", json.RootElement.GetProperty("title").GetString());
            Assert.Equal(60, json.RootElement.GetProperty("retryAfter").GetInt32());
        }

        var unknown = await client.GetAsync("/api/v1/no-such-thing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        using (var json = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("/api/v1/openapi.json", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        // Pages keep their page.
        var page = await client.GetAsync("/no-such-page", Ct);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage r, HttpStatusCode status)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct));
        return json.RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Api_callers_are_told_whether_the_token_is_missing_or_invalid_which_scope_is_needed_and_which_method_to_use()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var (email, _) = await app.CreateUserAsync(Madoguchi.Web.Features.Staff.Roles.Staff);
        string secret;
        await using (var scope = app.Scope())
        {
            var owner = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Madoguchi.Web.Features.Staff.StaffUser>>().FindByEmailAsync(email);
            secret = (await scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Staff.ApiTokens>().CreateAsync(owner!, "test", "inventory:read", null, Ct)).Secret;
        }
        var url = $"/api/v1/cases/{Guid.NewGuid()}";
        var anonymous = app.CreatePlainClient();

        Assert.Contains("Authorization ヘッダーがありません", await DetailAsync(await anonymous.GetAsync(url, Ct), HttpStatusCode.Unauthorized), StringComparison.Ordinal);
        using (var forged = new HttpRequestMessage(HttpMethod.Get, url))
        {
            forged.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "mdg_forged");
            Assert.Contains("API トークンが無効です", await DetailAsync(await anonymous.SendAsync(forged, Ct), HttpStatusCode.Unauthorized), StringComparison.Ordinal);
        }
        using (var inventory = new HttpRequestMessage(HttpMethod.Get, url))
        {
            inventory.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
            Assert.Contains("cases:read", await DetailAsync(await anonymous.SendAsync(inventory, Ct), HttpStatusCode.Forbidden), StringComparison.Ordinal);
        }
        // A known address with another method: 405 with Allow, as problem details (was a 401 HTML page).
        var deleted = await anonymous.DeleteAsync($"/api/v1/forms/{SubmissionKit.Slug}/submissions", Ct);
        Assert.Contains("HTTP メソッド", await DetailAsync(deleted, HttpStatusCode.MethodNotAllowed), StringComparison.Ordinal);
        Assert.Contains("POST", deleted.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_failure_shows_a_reference_number_that_the_log_ties_to_the_request()
    {
        var logs = new CapturedLogs();
        await using var app = await MadoguchiFactory.CreateAsync(services: s => s.AddSingleton<ILoggerProvider>(logs));
        var setup = await Madoguchi.Tests.Features.Cases.LedgerKit.PublishAsync(app);
        var staff = await app.SignedInClientAsync(Madoguchi.Web.Features.Staff.Roles.Staff, setup.Department.Id);
        // Every view of a ledger is audited: with the audit store refusing writes, the page fails.
        await Madoguchi.Tests.Features.Audit.AuditTrailTests.RefuseAuditWritesAsync(app);

        var failed = await staff.GetAsync($"/staff/ledger/{setup.ProcedureId}", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var html = await failed.Content.ReadAsStringAsync(Ct);
        var reference = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"reference\">([^<]+)<").Groups[1].Value;
        Assert.NotEmpty(reference);
        Assert.Contains("問い合わせる際は、次の番号をお伝えください", html, StringComparison.Ordinal);
        Assert.Contains($"問い合わせ番号 {reference}: GET /staff/ledger/{setup.ProcedureId} failed", logs.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, Language.Ja, "30秒")]
    [InlineData(60, Language.Ja, "1分")]
    [InlineData(61, Language.Ja, "2分")]
    [InlineData(1, Language.En, "1 second")]
    [InlineData(120, Language.En, "2 minutes")]
    [InlineData(60, Language.Easy, "1ぷん")]
    [InlineData(120, Language.Easy, "2ふん")]
    [InlineData(600, Language.Easy, "10ぷん")]
    [InlineData(900, Language.Easy, "15ふん")]
    public void Waits_are_rounded_up_to_whole_minutes_and_read_naturally(int seconds, Language language, string expected)
        => Assert.Equal(expected, ErrorModel.Wait(seconds, language));
}
