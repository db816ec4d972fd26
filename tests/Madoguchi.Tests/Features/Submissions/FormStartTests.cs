using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>The start page of a form when this browser already holds an application in progress.</summary>
public sealed class FormStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    private static Dictionary<string, string> Applicant() => new()
    {
        ["applicantName.family"] = "山田",
        ["applicantName.given"] = "花子",
        ["applicantName.familyKana"] = "ヤマダ",
        ["applicantName.givenKana"] = "ハナコ",
        ["birthDate"] = "平成2年4月1日",
        ["reason"] = "work",
        ["action"] = "next",
    };

    private const string OtherForm = """
    {
      "slug": "other-test",
      "title": { "ja": "別の申請" },
      "pages": [
        { "key": "only", "title": { "ja": "内容" },
          "items": [ { "type": "text", "key": "note", "required": true, "label": { "ja": "メモ" } } ] }
      ]
    }
    """;

    private static async Task<int> DraftCountAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.CountAsync(Ct);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Going_back_to_the_start_page_offers_to_continue_and_only_a_clearly_worded_second_button_starts_again()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);
        Assert.Equal($"{Base}/family", (await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant())).Headers.Location?.OriginalString);

        // 戻る on the first page (or the form's address typed again) leads here.
        var start = WebUtility.HtmlDecode(await client.GetStringAsync(Base, Ct));
        Assert.Contains("入力途中の申請があります", start, StringComparison.Ordinal);
        Assert.Matches($"<a [^>]*href=\"{Base}/family\"[^>]*>続きから入力する</a>", start);
        Assert.Contains("入力した内容を消して、最初から入力する", start, StringComparison.Ordinal);
        Assert.DoesNotContain(">申請を始める<", start, StringComparison.Ordinal);

        // The start button of a page opened before (another tab) continues instead of replacing the answers.
        var stale = await client.PostAsync(Base, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(start).Groups[1].Value),
        }), Ct);
        Assert.Equal($"{Base}/family", stale.Headers.Location?.OriginalString);
        Assert.Contains("山田", WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct)), StringComparison.Ordinal);
        Assert.Equal(1, await DraftCountAsync(app));

        // Starting again on purpose: a blank application, and the old answers are gone from the server too.
        var again = await MadoguchiFactory.PostFormAsync(client, Base, new() { ["action"] = "restart" });
        Assert.Equal($"{Base}/applicant", again.Headers.Location?.OriginalString);
        Assert.DoesNotContain("山田", WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct)), StringComparison.Ordinal);
        Assert.Equal(1, await DraftCountAsync(app));
    }

    [Fact]
    public async Task Continuing_from_the_start_page_leads_to_the_first_page_with_a_missing_answer()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);
        var wrong = Applicant();
        wrong["birthDate"] = "";
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", wrong);

        var start = WebUtility.HtmlDecode(await client.GetStringAsync(Base, Ct));

        Assert.Matches($"<a [^>]*href=\"{Base}/applicant\"[^>]*>続きから入力する</a>", start);
    }

    [Fact]
    public async Task Starting_another_form_keeps_the_first_forms_application_on_this_device()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(OtherForm, "KT-T0001", "test", Ct);
            await forms.PublishAsync("other-test", "test", Ct);
        }
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, Base, []);
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());

        var other = await MadoguchiFactory.PostFormAsync(client, "/forms/other-test", []);
        Assert.Equal("/forms/other-test/only", other.Headers.Location?.OriginalString);
        Assert.Equal("/forms/other-test/check", (await MadoguchiFactory.PostFormAsync(client, "/forms/other-test/only", new() { ["note"] = "メモ", ["action"] = "next" })).Headers.Location?.OriginalString);

        // Both applications are reachable: each form has its own draft cookie.
        var first = await client.GetAsync($"{Base}/applicant", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("山田", WebUtility.HtmlDecode(await first.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Contains("続きから入力する", await client.GetStringAsync(Base, Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/forms/other-test/check", Ct)).StatusCode);
    }

    [Fact]
    public async Task Each_forms_draft_cookie_is_http_only_secure_lax_and_limited_to_the_forms_pages()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();

        var start = await MadoguchiFactory.PostFormAsync(client, Base, []);

        var cookie = Assert.Single(start.Headers.GetValues("Set-Cookie"), c => c.StartsWith("madoguchi-draft", StringComparison.Ordinal));
        Assert.StartsWith($"madoguchi-draft.{SubmissionKit.Slug}=", cookie, StringComparison.Ordinal);
        foreach (var attribute in new[] { "httponly", "secure", "samesite=lax", "path=/forms" })
        {
            Assert.Contains(attribute, cookie, StringComparison.OrdinalIgnoreCase);
        }
    }
}
