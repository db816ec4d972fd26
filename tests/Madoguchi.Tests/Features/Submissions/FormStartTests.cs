using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>The start page of a form when this browser already holds an application in progress.</summary>
public sealed partial class FormStartTests
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

    // A 個人番号 and a bank account on the first page: both are sealed in the vault even in a draft.
    private const string SealedForm = """
    {
      "slug": "sealed-start-test",
      "title": { "ja": "個人番号を伴う申請（テスト）" },
      "pages": [
        { "key": "ids", "title": { "ja": "番号と口座" },
          "items": [
            { "type": "my-number", "key": "myNumber", "required": true, "label": { "ja": "個人番号" } },
            { "type": "bank-account", "key": "account", "required": true, "label": { "ja": "振込先" } }
          ] },
        { "key": "more", "title": { "ja": "その他" },
          "items": [ { "type": "text", "key": "note", "required": true, "label": { "ja": "メモ" } } ] }
      ]
    }
    """;

    private const string SealedBase = "/forms/sealed-start-test";

    private static async Task PublishSealedAsync(MadoguchiFactory app)
    {
        await app.SaveAsync(Builders.Procedure("KT-T0001", configure: p => p.UsesMyNumber = true));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(SealedForm, "KT-T0001", "test", Ct);
        await forms.PublishAsync("sealed-start-test", "test", Ct);
    }

    private static Dictionary<string, string> Ids(string myNumber, string action) => new()
    {
        ["myNumber"] = myNumber,
        ["account.bank"] = "0001",
        ["account.branch"] = "001",
        ["account.type"] = "普通",
        ["account.number"] = "1234567",
        ["account.holder"] = "ヤマダ ハナコ",
        ["action"] = action,
    };

    /// <summary>Reads of sealed answers so far: each writes one personal-data.viewed entry.</summary>
    private static async Task<int> VaultReadsAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.CountAsync(a => a.Action == AuditActions.PersonalDataViewed, Ct);
    }

    /// <summary>Follows the start page's 続きから入力する to the page it leads to (through a redirect, if it goes through one).</summary>
    private static async Task<string> ContinueAsync(HttpClient client, string start)
    {
        var href = WebUtility.HtmlDecode(ContinueLink().Match(start).Groups[1].Value);
        Assert.False(string.IsNullOrEmpty(href), "no 続きから入力する link");
        if (!href.Contains('?', StringComparison.Ordinal)) return href;
        var response = await client.GetAsync(href, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    [GeneratedRegex("<a [^>]*href=\"([^\"]+)\"[^>]*data-testid=\"continue\"")]
    private static partial Regex ContinueLink();

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

    [Fact]
    public async Task Opening_the_start_page_of_a_draft_holding_a_my_number_and_a_bank_account_reads_neither_yet_continuing_leads_to_the_right_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishSealedAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, SealedBase, []);
        Assert.Equal($"{SealedBase}/more", (await MadoguchiFactory.PostFormAsync(client, $"{SealedBase}/ids", Ids("1234 5678 9018", "next"))).Headers.Location?.OriginalString);
        var before = await VaultReadsAsync(app);

        // Merely looking at the start page (the form's address typed again, 戻る on the first page) decrypts nothing.
        var start = WebUtility.HtmlDecode(await client.GetStringAsync(SealedBase, Ct));
        Assert.Contains("入力途中の申請があります", start, StringComparison.Ordinal);
        Assert.Equal(before, await VaultReadsAsync(app));

        // Pressing 続きから入力する leads past the page whose sealed answers are complete.
        Assert.Equal($"{SealedBase}/more", await ContinueAsync(client, start));

        // A 個人番号 saved as typed but wrong (入力内容を保存して前に戻る saves unchecked): its page is where to continue.
        Assert.Equal(SealedBase, (await MadoguchiFactory.PostFormAsync(client, $"{SealedBase}/ids", Ids("1234 5678 9019", "back"))).Headers.Location?.OriginalString);
        before = await VaultReadsAsync(app);
        start = WebUtility.HtmlDecode(await client.GetStringAsync(SealedBase, Ct));
        Assert.Equal(before, await VaultReadsAsync(app));
        Assert.Equal($"{SealedBase}/ids", await ContinueAsync(client, start));
    }

    [Fact]
    public async Task Starting_again_throws_the_sealed_answers_away_without_reading_them()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await PublishSealedAsync(app);
        var client = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(client, SealedBase, []);
        await MadoguchiFactory.PostFormAsync(client, $"{SealedBase}/ids", Ids("1234 5678 9018", "next"));
        var start = await client.GetStringAsync(SealedBase, Ct);
        var before = await VaultReadsAsync(app);

        var again = await client.PostAsync(SealedBase, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["action"] = "restart",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(start).Groups[1].Value),
        }), Ct);

        Assert.Equal($"{SealedBase}/ids", again.Headers.Location?.OriginalString);
        Assert.Equal(before, await VaultReadsAsync(app));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(1, await db.Drafts.CountAsync(Ct));
        Assert.Equal(0, await db.ProtectedValues.CountAsync(Ct));
    }
}
