using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>
/// Markup typed into any free-text answer stays text on every page that shows it again:
/// the page itself after an error, the check page, the confirmation, the status page and the staff list.
/// </summary>
public sealed partial class InertAnswersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Slug = "inert-test";
    private const string Base = "/forms/" + Slug;
    // Breaks out of an attribute and of an element; either would run if written unescaped.
    private const string Payload = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

    private const string ShortPayload = "\"><script>alert(1)</script>";

    private const string FormJson = """
    {
      "slug": "inert-test",
      "title": { "ja": "自由記述のある申請（テスト）" },
      "pages": [
        { "key": "p1", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "kana": false, "label": { "ja": "氏名" } },
            { "type": "text", "key": "title", "required": true, "maxLength": 100, "label": { "ja": "件名" } },
            { "type": "long-text", "key": "detail", "required": true, "label": { "ja": "内容" } },
            { "type": "address", "key": "address", "required": true, "maxLength": 200, "label": { "ja": "住所" } },
            { "type": "number", "key": "count", "required": true, "label": { "ja": "件数" } }
          ] },
        { "key": "p2", "title": { "ja": "関係者" },
          "items": [
            { "type": "group", "key": "people", "min": 1, "max": 2, "label": { "ja": "関係者" },
              "fields": [ { "type": "text", "key": "who", "required": true, "maxLength": 100, "label": { "ja": "お名前" } } ] }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task Markup_in_every_free_text_answer_is_shown_as_text_on_every_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, FormJson);
        var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Redirect, (await MadoguchiFactory.PostFormAsync(client, Base, [])).StatusCode);

        var page1 = new Dictionary<string, string>
        {
            // 氏名 parts are at most 50 characters: a shorter payload still breaks out of both.
            ["applicantName.family"] = ShortPayload,
            ["applicantName.given"] = ShortPayload,
            ["title"] = Payload,
            ["detail"] = Payload + "\n" + Payload,
            ["address"] = Payload,
            // A wrong number makes the page come back with every typed value in it.
            ["count"] = Payload,
            ["action"] = "next",
        };
        var withError = await MadoguchiFactory.PostFormAsync(client, $"{Base}/p1", page1);
        Assert.Equal(HttpStatusCode.OK, withError.StatusCode);
        var errorPage = await withError.Content.ReadAsStringAsync(Ct);
        Assert.Contains("dads-error-summary", errorPage, StringComparison.Ordinal);
        AssertInert(errorPage, expectedCopies: 6);

        // 氏名 refuses symbols (shown above, inert); the other answers keep the markup to the end.
        page1["count"] = "3";
        page1["applicantName.family"] = "山田";
        page1["applicantName.given"] = "花子";
        Assert.Equal($"{Base}/p2", (await MadoguchiFactory.PostFormAsync(client, $"{Base}/p1", page1)).Headers.Location?.OriginalString);
        var p2 = new Dictionary<string, string> { ["people.count"] = "1", ["people[0].who"] = Payload, ["action"] = "next" };
        Assert.Equal($"{Base}/check", (await MadoguchiFactory.PostFormAsync(client, $"{Base}/p2", p2)).Headers.Location?.OriginalString);
        AssertInert(await client.GetStringAsync($"{Base}/p2", Ct), expectedCopies: 1);

        var check = await client.GetStringAsync($"{Base}/check", Ct);
        AssertInert(check, expectedCopies: 5);

        var done = await MadoguchiFactory.PostFormAsync(client, $"{Base}/check", []);
        var confirmation = await done.Content.ReadAsStringAsync(Ct);
        AssertInert(confirmation, expectedCopies: 0);
        var statusUrl = WebUtility.HtmlDecode(StatusLink().Match(confirmation).Groups[1].Value);
        AssertInert(await client.GetStringAsync(statusUrl, Ct), expectedCopies: 0);

        using var staff = await app.SignedInClientAsync(Roles.Dx);
        AssertInert(await staff.GetStringAsync($"/staff/forms/{Slug}/submissions", Ct), expectedCopies: 5);
    }

    /// <summary>No raw markup of the payload; where answers are shown, each one appears HTML-encoded.</summary>
    private static void AssertInert(string html, int expectedCopies)
    {
        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror=alert(2)>", html.Replace("onerror=alert(2)&gt;", "", StringComparison.Ordinal), StringComparison.Ordinal);
        // Razor encodes < as &lt;; the number of encoded copies shows the answers really are on the page.
        var copies = Regex.Matches(html, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;").Count;
        Assert.True(copies >= expectedCopies, $"expected at least {expectedCopies} encoded copies of the answer, found {copies}");
    }

    [GeneratedRegex("href=\"(/status/[^\"]+)\" data-testid=\"status-link\"")]
    private static partial Regex StatusLink();
}
