using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>The resident pages of a form, driven as a browser with JavaScript off would: GETs, form posts, redirects.</summary>
public sealed partial class FormPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Base = "/forms/" + SubmissionKit.Slug;

    private static Dictionary<string, string> Applicant(string birthDate = "平成2年4月1日", string family = "山田") => new()
    {
        ["applicantName.family"] = family,
        ["applicantName.given"] = "花子",
        ["applicantName.familyKana"] = "やまだ",
        ["applicantName.givenKana"] = "ハナコ",
        ["birthDate"] = birthDate,
        ["reason"] = "work",
        ["action"] = "next",
    };

    private static Dictionary<string, string> Family() => new()
    {
        ["children.count"] = "1",
        ["children[0].childName"] = "山田 太郎",
        ["children[0].childBirthDate"] = "R5.6.1",
        ["consent"] = "true",
        ["action"] = "next",
    };

    private static async Task<HttpClient> StartedAsync(MadoguchiFactory app, string slug = SubmissionKit.Slug)
    {
        var client = app.CreatePlainClient();
        var start = await MadoguchiFactory.PostFormAsync(client, $"/forms/{slug}", []);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var cookie = string.Join(";", start.Headers.GetValues("Set-Cookie"));
        Assert.Contains($"madoguchi-draft.{slug}=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/forms", cookie, StringComparison.OrdinalIgnoreCase);
        return client;
    }

    private static async Task<string> Html(HttpResponseMessage r) => WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync(Ct));

    [Fact]
    [Trait("storage", "true")]
    public async Task A_resident_goes_through_every_page_without_javascript_submits_and_opens_the_status_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();

        var startPage = await client.GetStringAsync(Base, Ct);
        Assert.Contains("子育て支援の申請（テスト）", startPage, StringComparison.Ordinal);
        var start = await MadoguchiFactory.PostFormAsync(client, Base, []);
        Assert.Equal($"{Base}/applicant", start.Headers.Location?.OriginalString);

        var first = await client.GetStringAsync($"{Base}/applicant", Ct);
        Assert.Contains("ステップ 1 / 2", first, StringComparison.Ordinal);
        Assert.Contains("autocomplete=\"family-name\"", first, StringComparison.Ordinal);
        var page1 = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());
        Assert.Equal($"{Base}/family", page1.Headers.Location?.OriginalString);
        var page2 = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", Family());
        Assert.Equal($"{Base}/check", page2.Headers.Location?.OriginalString);

        var check = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/check", Ct));
        Assert.Contains("山田 花子（ヤマダ ハナコ）", check, StringComparison.Ordinal);
        Assert.Contains("平成2年4月1日（1990-04-01）", check, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Base}/family\"", check, StringComparison.Ordinal);

        var done = await MadoguchiFactory.PostFormAsync(client, $"{Base}/check", []);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var html = await Html(done);
        var receipt = Receipt().Match(html).Groups[1].Value;
        Assert.NotEmpty(receipt);
        Assert.Contains(done.Headers.GetValues("Set-Cookie"), c => c.StartsWith($"madoguchi-draft.{SubmissionKit.Slug}=;", StringComparison.Ordinal));
        var statusUrl = StatusLink().Match(html).Groups[1].Value;
        var status = await client.GetStringAsync(statusUrl, Ct);
        Assert.Contains(receipt, status, StringComparison.Ordinal);
        Assert.Contains("受付済み", status, StringComparison.Ordinal);

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var stored = await db.Submissions.SingleAsync(Ct);
        Assert.Equal("web", stored.Channel);
        Assert.Equal("ヤマダ", System.Text.Json.Nodes.JsonNode.Parse(stored.AnswersJson)!["applicantName"]!["familyKana"]!.GetValue<string>());
        Assert.Empty(await db.Drafts.ToListAsync(Ct));
        // After submitting, the pages of the draft are gone for this device too.
        var after = await client.GetAsync($"{Base}/applicant", Ct);
        Assert.Equal(Base, after.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_residents_pages_are_never_cached_and_antiforgery_finds_nothing_to_override()
    {
        var logs = new CapturedLogs();
        await using var app = await MadoguchiFactory.CreateAsync(services: s => s.AddSingleton<ILoggerProvider>(logs));
        await SubmissionKit.PublishAsync(app);
        var client = app.CreatePlainClient();

        // Each page holds a form (antiforgery token) and, from the first page on, the resident's answers.
        var pages = new List<HttpResponseMessage> { await client.GetAsync(Base, Ct) };
        await MadoguchiFactory.PostFormAsync(client, Base, []);
        pages.Add(await client.GetAsync($"{Base}/applicant", Ct));
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", Family());
        pages.Add(await client.GetAsync($"{Base}/check", Ct));
        var done = await MadoguchiFactory.PostFormAsync(client, $"{Base}/check", []);
        pages.Add(await client.GetAsync(StatusLink().Match(await Html(done)).Groups[1].Value, Ct));

        foreach (var page in pages)
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.True(page.Headers.CacheControl?.NoStore == true, $"{page.RequestMessage!.RequestUri}: no Cache-Control: no-store");
        }
        // A page that set its own header before rendering made antiforgery log this on every view.
        Assert.DoesNotContain("have been overridden", logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_are_summarised_with_links_to_their_fields_and_the_typed_values_are_kept_and_saved()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);

        var response = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant(birthDate: "平成31年5月1日", family: ""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await Html(response);
        Assert.Contains("dads-error-summary", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#f-birthDate\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"f-birthDate\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#f-applicantName-family\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"f-applicantName-family\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"平成31年5月1日\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
        // The draft kept what was typed, even the wrong date: coming back shows it without errors.
        var again = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct));
        Assert.Contains("value=\"平成31年5月1日\"", again, StringComparison.Ordinal);
        Assert.Contains("value=\"ハナコ\"", again, StringComparison.Ordinal);
        Assert.DoesNotContain("dads-error-summary", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task English_pages_show_the_forms_english_texts_and_errors()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);
        await client.GetAsync("/lang?to=en", Ct);

        var response = await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant(family: ""));

        var html = await Html(response);
        Assert.Contains("Childcare support (test)", html, StringComparison.Ordinal);
        Assert.Contains("Save and continue later", html, StringComparison.Ordinal);
        Assert.Contains("Check your answers", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_sent_without_a_valid_token_shows_the_typing_again_unsaved_and_the_next_send_keeps_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);

        // As from a page left open until the browser dropped its token: the draft cookie is there, the token is not valid.
        var fields = Applicant(family: "佐藤");
        fields["__RequestVerificationToken"] = "stale";
        var stale = await client.PostAsync($"{Base}/applicant", new FormUrlEncodedContent(fields), Ct);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var html = await Html(stale);
        Assert.Contains("入力内容はまだ保存されていません", html, StringComparison.Ordinal);
        Assert.Matches("name=\"applicantName\\.family\"[^>]*value=\"佐藤\"", html);
        await using (var scope = app.Scope())
        {
            var draft = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.SingleAsync(Ct);
            Assert.Null(System.Text.Json.Nodes.JsonNode.Parse(draft.AnswersJson)?["applicantName"]);
        }
        // The autosave of the script is refused the same way (it says it could not save).
        fields["action"] = "autosave";
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"{Base}/applicant", new FormUrlEncodedContent(fields), Ct)).StatusCode);

        // Pressing the button again sends the page's fresh token: saved, and on to the next page.
        var again = new Dictionary<string, string>(Applicant(family: "佐藤"))
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(await stale.Content.ReadAsStringAsync(Ct)).Groups[1].Value),
        };
        var next = await client.PostAsync($"{Base}/applicant", new FormUrlEncodedContent(again), Ct);
        Assert.Equal($"{Base}/family", next.Headers.Location?.OriginalString);
        await using (var scope = app.Scope())
        {
            var draft = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts.SingleAsync(Ct);
            Assert.Equal("佐藤", System.Text.Json.Nodes.JsonNode.Parse(draft.AnswersJson)?["applicantName"]?["family"]?.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_reader_of_easy_japanese_gets_easy_messages_from_the_pages_script_too()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);
        await client.GetAsync("/lang?to=easy", Ct);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"{Base}/applicant", Ct));

        // The browser's own checks show these; they used to be standard Japanese on an easy page.
        Assert.Contains("data-msg-required=\"かいてください。\"", page, StringComparison.Ordinal);
        Assert.Contains("data-msg-postcode-length=\"ゆうびんばんごうは 7けたの すうじです。いまは {n}けた です。たしかめてください。\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<rt>", Regex.Match(page, "data-msg-[^>]*").Value, StringComparison.Ordinal);
    }

    private const string ChoicesForm = """
    {
      "slug": "choices-test",
      "title": { "ja": "選択のテスト", "en": "Choices test" },
      "pages": [
        { "key": "copies", "title": { "ja": "受け取り方" },
          "items": [
            { "type": "checkbox", "key": "how", "required": true, "label": { "ja": "受け取り方", "en": "How to receive it" },
              "options": [ { "value": "post", "label": { "ja": "郵送", "en": "By post" } },
                           { "value": "counter", "label": { "ja": "窓口", "en": "At the counter" } } ] }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task In_english_the_check_page_lists_several_choices_with_english_commas_and_marks_an_untranslated_page_title()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, ChoicesForm);
        var client = await StartedAsync(app, "choices-test");
        await client.GetAsync("/lang?to=en", Ct);
        var page = await client.GetStringAsync("/forms/choices-test/copies", Ct);
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value);

        // Two boxes ticked: the same name twice, as a browser sends it.
        var next = await client.PostAsync("/forms/choices-test/copies", new FormUrlEncodedContent(
        [
            new("how", "post"), new("how", "counter"), new("action", "next"), new("__RequestVerificationToken", token),
        ]), Ct);
        Assert.Equal("/forms/choices-test/check", next.Headers.Location?.OriginalString);

        var check = await client.GetStringAsync("/forms/choices-test/check", Ct);
        Assert.Contains("<dd>By post, At the counter</dd>", check, StringComparison.Ordinal);
        Assert.DoesNotContain("By post、", check, StringComparison.Ordinal);
        // The page has no English title, so the change link names it in Japanese, marked as such.
        Assert.Contains("<span class=\"visually-hidden\">: <span lang=\"ja\">", check, StringComparison.Ordinal);
    }

    private const string BankForm = """
    {
      "slug": "bank-test",
      "title": { "ja": "口座のテスト", "en": "Account test" },
      "pages": [
        { "key": "account", "title": { "ja": "振込先", "en": "Account" },
          "items": [
            { "type": "bank-account", "key": "refund", "required": true, "label": { "ja": "振込先口座", "en": "Account for the refund" } }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task A_bank_account_chosen_on_the_page_is_accepted_and_its_type_and_errors_are_shown_in_the_readers_words()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, BankForm);
        var client = await StartedAsync(app, "bank-test");
        var page = await client.GetStringAsync("/forms/bank-test/account", Ct);
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value);
        Assert.Contains("<option value=\"ordinary\">普通</option>", page, StringComparison.Ordinal);

        // A bank code of three digits: the error names the part and links to that very input.
        FormUrlEncodedContent Account(string bank) => new(
        [
            new("refund.bank", bank), new("refund.branch", "001"), new("refund.type", "ordinary"),
            new("refund.number", "1234567"), new("refund.holder", "こうとう はなこ"), new("action", "next"), new("__RequestVerificationToken", token),
        ]);
        var wrong = await Html(await client.PostAsync("/forms/bank-test/account", Account("123"), Ct));
        Assert.Contains("href=\"#f-refund-bank\"", wrong, StringComparison.Ordinal);
        Assert.Contains("金融機関コード（4桁）: ", wrong, StringComparison.Ordinal);
        Assert.Matches("id=\"f-refund-bank\"[^>]*aria-invalid=\"true\"", wrong);
        Assert.DoesNotContain("預金種目は", wrong, StringComparison.Ordinal);
        Assert.Contains("<option value=\"ordinary\" selected=\"selected\">普通</option>", wrong, StringComparison.Ordinal);

        // The select's own value goes through (it used to be refused whatever was chosen).
        var next = await client.PostAsync("/forms/bank-test/account", Account("0001"), Ct);
        Assert.Equal("/forms/bank-test/check", next.Headers.Location?.OriginalString);
        Assert.Contains("<dd>0001 001 普通 1234567 コウトウ　ハナコ</dd>", await Html(await client.GetAsync("/forms/bank-test/check", Ct)), StringComparison.Ordinal);
        await client.GetAsync("/lang?to=en", Ct);
        Assert.Contains("0001 001 Ordinary (futsu) 1234567", await client.GetStringAsync("/forms/bank-test/check", Ct), StringComparison.Ordinal);
        var english = await client.GetStringAsync("/forms/bank-test/account", Ct);
        Assert.Contains("<option value=\"ordinary\" selected=\"selected\">Ordinary (futsu)</option>", english, StringComparison.Ordinal);
    }

    private const string ConditionalForm = """
    {
      "slug": "cond-test",
      "title": { "ja": "条件のテスト" },
      "pages": [
        { "key": "first", "title": { "ja": "最初" },
          "items": [
            { "type": "radio", "key": "hasKids", "required": true, "label": { "ja": "お子さんはいますか" },
              "options": [ { "value": "yes", "label": { "ja": "はい" } }, { "value": "no", "label": { "ja": "いいえ" } } ] }
          ] },
        { "key": "kids", "title": { "ja": "お子さん" }, "showWhen": { "field": "hasKids", "equals": "yes" },
          "items": [ { "type": "text", "key": "kidName", "required": true, "label": { "ja": "お名前" } } ] },
        { "key": "last", "title": { "ja": "最後" },
          "items": [
            { "type": "file", "key": "certificate", "accept": ["pdf"], "maxFiles": 2, "label": { "ja": "証明書" } },
            { "type": "fee", "label": { "ja": "手数料" }, "yen": 1300 }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task Saving_and_going_back_keeps_an_unfinished_page_as_typed_without_checking_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);
        Assert.Equal($"{Base}/family", (await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant())).Headers.Location?.OriginalString);
        Assert.Contains("value=\"back\"", await client.GetStringAsync($"{Base}/family", Ct), StringComparison.Ordinal);

        // Half of page 2 typed, with a date still wrong: the resident goes back to change page 1 first.
        var back = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", new()
        {
            ["children.count"] = "1",
            ["children[0].childName"] = "山田 太郎",
            ["children[0].childBirthDate"] = "令和5年13月1日",
            ["action"] = "back",
        });

        Assert.Equal($"{Base}/applicant", back.Headers.Location?.OriginalString);
        var again = await Html(await client.GetAsync($"{Base}/family", Ct));
        Assert.Contains("value=\"山田 太郎\"", again, StringComparison.Ordinal);
        Assert.Contains("value=\"令和5年13月1日\"", again, StringComparison.Ordinal);
        Assert.DoesNotContain("dads-error-summary", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_hidden_by_an_answer_is_skipped_and_not_counted()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, ConditionalForm);
        var client = await StartedAsync(app, "cond-test");

        var no = await MadoguchiFactory.PostFormAsync(client, "/forms/cond-test/first", new() { ["hasKids"] = "no", ["action"] = "next" });
        Assert.Equal("/forms/cond-test/last", no.Headers.Location?.OriginalString);
        var last = await client.GetStringAsync("/forms/cond-test/last", Ct);
        Assert.Contains("ステップ 2 / 2", last, StringComparison.Ordinal);
        Assert.Contains("1,300円", last, StringComparison.Ordinal);
        var hidden = await client.GetAsync("/forms/cond-test/kids", Ct);
        Assert.Equal("/forms/cond-test/first", hidden.Headers.Location?.OriginalString);

        var yes = await MadoguchiFactory.PostFormAsync(client, "/forms/cond-test/first", new() { ["hasKids"] = "yes", ["action"] = "next" });
        Assert.Equal("/forms/cond-test/kids", yes.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Group_items_are_added_and_removed_with_plain_buttons_keeping_what_was_typed()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());

        var added = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", new()
        {
            ["children.count"] = "1",
            ["children[0].childName"] = "一郎",
            ["action"] = "add:children",
        });
        var html = await Html(added);
        Assert.Equal(2, GroupItem().Count(html));
        Assert.Contains("value=\"一郎\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("dads-error-summary", html, StringComparison.Ordinal);

        var removed = await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", new()
        {
            ["children.count"] = "2",
            ["children[0].childName"] = "一郎",
            ["children[1].childName"] = "二郎",
            ["action"] = "remove:children:0",
        });
        html = await Html(removed);
        Assert.Equal(1, GroupItem().Count(html));
        Assert.Matches("name=\"children\\[0\\]\\.childName\"[^>]*value=\"二郎\"", html);
        Assert.DoesNotContain("一郎", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uploaded_pdf_is_listed_and_can_be_removed()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, ConditionalForm);
        var client = await StartedAsync(app, "cond-test");
        await MadoguchiFactory.PostFormAsync(client, "/forms/cond-test/first", new() { ["hasKids"] = "no", ["action"] = "next" });

        var uploaded = await PostMultipartAsync(client, "/forms/cond-test/last", "upload", "certificate", "住民票.pdf", "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray());
        var html = await Html(uploaded);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Contains("住民票.pdf", html, StringComparison.Ordinal);
        var remove = RemoveFile().Match(html);
        Assert.True(remove.Success, "no remove button for the attached file");

        var notPdf = await PostMultipartAsync(client, "/forms/cond-test/last", "upload", "certificate", "偽物.pdf", "MZ\x90\0 not a pdf"u8.ToArray());
        Assert.Contains("href=\"#f-certificate\"", await Html(notPdf), StringComparison.Ordinal);

        var next = await PostMultipartAsync(client, "/forms/cond-test/last", remove.Groups[1].Value, null, null, null);
        Assert.DoesNotContain("住民票.pdf", await Html(next), StringComparison.Ordinal);
        await using var scope = app.Scope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Attachments.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_refused_upload_is_explained_in_the_language_the_resident_reads()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, ConditionalForm);
        var client = await StartedAsync(app, "cond-test");
        await MadoguchiFactory.PostFormAsync(client, "/forms/cond-test/first", new() { ["hasKids"] = "no", ["action"] = "next" });
        byte[] program = [.. "MZ"u8.ToArray(), 0x90, 0, 3, 0];

        await client.GetAsync("/lang?to=en", Ct);
        var english = await Html(await PostMultipartAsync(client, "/forms/cond-test/last", "upload", "certificate", "scan.pdf", program));
        Assert.Contains("“scan.pdf” is a program (an executable file) and cannot be accepted.", english, StringComparison.Ordinal);
        Assert.DoesNotContain("受け付けられません", english, StringComparison.Ordinal);

        await client.GetAsync("/lang?to=easy", Ct);
        var easy = await Html(await PostMultipartAsync(client, "/forms/cond-test/last", "upload", "certificate", "scan.pdf", program));
        Assert.Contains("「scan.pdf」は プログラムなので つけられません。", easy, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostMultipartAsync(HttpClient client, string url, string action, string? field, string? fileName, byte[]? bytes)
    {
        var page = await client.GetStringAsync(url, Ct);
        var token = MadoguchiFactory.AntiforgeryToken().Match(page).Groups[1].Value;
        using var content = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token)), "__RequestVerificationToken" },
            { new StringContent(action), "action" },
        };
        if (field is not null) content.Add(new ByteArrayContent(bytes!), field, fileName!);
        return await client.PostAsync(url, content, Ct);
    }

    [Fact]
    public async Task Submitting_twice_at_once_makes_one_submission_with_the_same_receipt()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var client = await StartedAsync(app);
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/applicant", Applicant());
        await MadoguchiFactory.PostFormAsync(client, $"{Base}/family", Family());
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(await client.GetStringAsync($"{Base}/check", Ct)).Groups[1].Value);

        // A double click: both requests leave with the draft cookie before either answer arrives.
        var posts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.PostAsync($"{Base}/check",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct)));

        var receipts = await Task.WhenAll(posts.Select(async p => Receipt().Match(await Html(p)).Groups[1].Value));
        Assert.NotEmpty(receipts[0]);
        Assert.Equal(receipts[0], receipts[1]);
        await using var scope = app.Scope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Submissions.CountAsync(Ct));
    }

    [Fact]
    public async Task A_resume_code_opens_the_draft_on_another_device_once()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var phone = await StartedAsync(app);
        var applicant = Applicant();
        applicant["action"] = "later";

        var saved = await Html(await MadoguchiFactory.PostFormAsync(phone, $"{Base}/applicant", applicant));
        var code = ResumeCode().Match(saved).Groups[1].Value;
        Assert.Matches("^[0-9A-Z]{5}-[0-9A-Z]{5}$", code);
        Assert.Contains("令和7年5月1日（2025-05-01）", saved, StringComparison.Ordinal);

        var pc = app.CreatePlainClient();
        var opened = await MadoguchiFactory.PostFormAsync(pc, "/forms/resume", new() { ["Code"] = code.ToLowerInvariant() });
        Assert.Equal($"{Base}/applicant", opened.Headers.Location?.OriginalString);
        var page = WebUtility.HtmlDecode(await pc.GetStringAsync($"{Base}/applicant", Ct));
        Assert.Contains("value=\"ハナコ\"", page, StringComparison.Ordinal);

        var third = app.CreatePlainClient();
        var reused = await MadoguchiFactory.PostFormAsync(third, "/forms/resume", new() { ["Code"] = code });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("再開コードが違うか", await Html(reused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_client_cannot_open_someone_elses_draft_pages()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var owner = await StartedAsync(app);
        await MadoguchiFactory.PostFormAsync(owner, $"{Base}/applicant", Applicant());

        var stranger = app.CreatePlainClient();
        foreach (var url in new[] { $"{Base}/applicant", $"{Base}/family", $"{Base}/check" })
        {
            var r = await stranger.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Equal(Base, r.Headers.Location?.OriginalString);
        }
        var page = await owner.GetStringAsync($"{Base}/applicant", Ct);
        Assert.Contains("山田", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
    }

    [GeneratedRegex("data-testid=\"receipt\">([^<]+)<")]
    private static partial Regex Receipt();

    [GeneratedRegex("href=\"(/status/[^\"]+)\" data-testid=\"status-link\"")]
    private static partial Regex StatusLink();

    [GeneratedRegex("data-testid=\"resume-code\">([^<]+)<")]
    private static partial Regex ResumeCode();

    [GeneratedRegex("data-testid=\"group-item\"")]
    private static partial Regex GroupItem();

    [GeneratedRegex("value=\"(remove-file:[0-9a-f-]+)\"")]
    private static partial Regex RemoveFile();
}
