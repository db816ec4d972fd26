using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>"保存して後で続ける" with an e-mailed resume link, and the autosave the page's script uses.</summary>
public sealed partial class SaveForLaterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Origin = "https://madoguchi.city.example.jp";
    private const string Base = "/forms/" + SubmissionKit.Slug;

    private static Dictionary<string, string> Applicant(string action) => new()
    {
        ["applicantName.family"] = "山田<b>太字</b>",
        ["applicantName.given"] = "花子",
        ["applicantName.familyKana"] = "やまだ",
        ["applicantName.givenKana"] = "ハナコ",
        ["birthDate"] = "平成2年4月1日",
        ["email"] = "hanako@example.jp",
        ["reason"] = "work",
        ["action"] = action,
    };

    private static async Task<HttpClient> StartedAsync(MadoguchiFactory app)
    {
        var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Redirect, (await MadoguchiFactory.PostFormAsync(client, Base, [])).StatusCode);
        return client;
    }

    private static async Task<string> Html(HttpResponseMessage r) => WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync(Ct));

    [Fact]
    public async Task The_mailed_link_opens_the_draft_on_another_device_and_the_mail_is_plain_text_without_answers()
    {
        await using var smtp = await MailTests.Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        await SubmissionKit.PublishAsync(app);
        var phone = await StartedAsync(app);

        var saved = await Html(await MadoguchiFactory.PostFormAsync(phone, $"{Base}/applicant", Applicant("later")));
        var shownFirst = ResumeCode().Match(saved).Groups[1].Value;
        Assert.NotEmpty(shownFirst);
        // The address answered on the form is offered; the resident may change it or leave it empty.
        Assert.Matches("id=\"resume-email\"[^>]*value=\"hanako@example.jp\"", saved);
        // The form posts to another page: it must carry its own antiforgery token.
        Assert.Matches("<form[^>]*data-testid=\"resume-mail\"[^>]*>(?:(?!</form>)[\\s\\S])*name=\"__RequestVerificationToken\"", saved);

        var sent = await Html(await MadoguchiFactory.PostFormAsync(phone, "/forms/save", new() { ["Slug"] = SubmissionKit.Slug, ["Email"] = "ｈａｎａｋｏ@example.jp" }, getUrl: $"{Base}/applicant"));
        Assert.Contains("hanako@example.jp", sent, StringComparison.Ordinal);
        var code = ResumeCode().Match(sent).Groups[1].Value;
        Assert.Matches("^[0-9A-Z]{5}-[0-9A-Z]{5}$", code);

        var mail = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", mail.To.ToString());
        Assert.Null(mail.HtmlBody);
        Assert.Equal("text/plain", mail.Body?.ContentType.MimeType);
        var text = mail.TextBody ?? "";
        Assert.Contains($"再開コード: {code}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("太字", text, StringComparison.Ordinal);
        Assert.DoesNotContain("山田", text, StringComparison.Ordinal);
        var link = Regex.Match(text, $@"{Regex.Escape(Origin)}/forms/resume\?code=\S+").Value;
        Assert.NotEmpty(link);

        // Another device: the link fills the code in but opens nothing until the resident presses the button.
        var pc = app.CreatePlainClient();
        var page = await Html(await pc.GetAsync(new Uri(link).PathAndQuery, Ct));
        Assert.Contains($"value=\"{code}\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"resume-from-link\"", page, StringComparison.Ordinal);
        var opened = await MadoguchiFactory.PostFormAsync(pc, "/forms/resume", new() { ["Code"] = code }, getUrl: new Uri(link).PathAndQuery);
        Assert.Equal($"{Base}/applicant", opened.Headers.Location?.OriginalString);
        Assert.Contains("value=\"ハナコ\"", WebUtility.HtmlDecode(await pc.GetStringAsync($"{Base}/applicant", Ct)), StringComparison.Ordinal);

        // Sending replaced the code shown first: only the mailed one worked.
        var stale = await MadoguchiFactory.PostFormAsync(app.CreatePlainClient(), "/forms/resume", new() { ["Code"] = shownFirst });
        Assert.Contains("再開コードが違うか", await Html(stale), StringComparison.Ordinal);
        Assert.Equal(0, smtp.Pending);
    }

    [Fact]
    public async Task A_wrong_address_is_shown_as_an_error_and_keeps_the_code_already_shown()
    {
        await using var smtp = await MailTests.Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        await SubmissionKit.PublishAsync(app);
        var phone = await StartedAsync(app);
        var code = ResumeCode().Match(await Html(await MadoguchiFactory.PostFormAsync(phone, $"{Base}/applicant", Applicant("later")))).Groups[1].Value;

        var refused = await MadoguchiFactory.PostFormAsync(phone, "/forms/save", new() { ["Slug"] = SubmissionKit.Slug, ["Email"] = "hanako.example.jp" }, getUrl: $"{Base}/applicant");

        var html = await Html(refused);
        Assert.Contains("dads-error-summary", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#resume-email\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"hanako.example.jp\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"resume-code\"", html, StringComparison.Ordinal);
        await Task.Delay(300, Ct);
        Assert.Equal(0, smtp.Pending);
        var opened = await MadoguchiFactory.PostFormAsync(app.CreatePlainClient(), "/forms/resume", new() { ["Code"] = code });
        Assert.Equal($"{Base}/applicant", opened.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Sending_resume_links_is_rate_limited_like_resume_codes()
    {
        await using var smtp = await MailTests.Smtp.StartAsync();
        var settings = smtp.Settings(Origin);
        settings["Madoguchi:RateLimits:lookup:PermitLimit"] = "2";
        await using var app = await MadoguchiFactory.CreateAsync(settings);
        await SubmissionKit.PublishAsync(app);
        var phone = await StartedAsync(app);
        await MadoguchiFactory.PostFormAsync(phone, $"{Base}/applicant", Applicant("later"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            var r = await MadoguchiFactory.PostFormAsync(phone, "/forms/save", new() { ["Slug"] = SubmissionKit.Slug, ["Email"] = $"victim{i}@example.jp" }, getUrl: $"{Base}/applicant");
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests) Assert.True(r.Headers.RetryAfter is not null, "429 without Retry-After");
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        await smtp.NextAsync();
        await smtp.NextAsync();
        await Task.Delay(300, Ct);
        Assert.Equal(0, smtp.Pending);
        // The resume page shares the limit: a guesser cannot switch pages to get more tries.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await phone.GetAsync("/forms/resume", Ct)).StatusCode);
    }

    [Fact]
    public async Task Without_a_mail_server_the_saved_page_only_shows_the_code()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var phone = await StartedAsync(app);

        var saved = await Html(await MadoguchiFactory.PostFormAsync(phone, $"{Base}/applicant", Applicant("later")));

        Assert.Matches("data-testid=\"resume-code\">[0-9A-Z]{5}-[0-9A-Z]{5}<", saved);
        Assert.DoesNotContain("resume-email", saved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autosave_stores_the_pages_answers_as_typed_and_answers_json_without_attaching_files()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);
        var page = await client.GetStringAsync($"{Base}/applicant", Ct);
        Assert.Contains("src=\"/js/form-fill.js\"", page, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value);
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("autosave"), "action" },
            { new StringContent("やまだ"), "applicantName.familyKana" },
            { new StringContent("令和７年１３月１日"), "birthDate" },
            { new ByteArrayContent("%PDF-1.4\n%%EOF\n"u8.ToArray()), "applicantName.family", "a.pdf" },
        };

        var response = await client.PostAsync($"{Base}/applicant", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // FakeClock: 2025-04-01 00:00 UTC is 9:00 in Japan.
        Assert.Equal("9:00", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["time"]!.GetValue<string>());
        var again = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct));
        Assert.Contains("value=\"やまだ\"", again, StringComparison.Ordinal);
        // Saved as typed, wrong or not (the errors come when the resident leaves the page).
        Assert.Contains("value=\"令和７年１３月１日\"", again, StringComparison.Ordinal);
        await using var scope = app.Scope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Attachments.ToListAsync(Ct));
    }

    [Fact]
    public async Task Autosave_without_the_antiforgery_token_is_refused_and_saves_nothing()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);

        var response = await client.PostAsync($"{Base}/applicant", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["action"] = "autosave",
            ["applicantName.family"] = "偽物",
        }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("偽物", WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct)), StringComparison.Ordinal);
    }

    [GeneratedRegex("data-testid=\"resume-code\">([^<]+)<")]
    private static partial Regex ResumeCode();
}
