using System.Text;
using System.Text.RegularExpressions;
using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Postcodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// A resident on a phone fills the demo 保育所転所申請 (three pages), saves it for later with an
/// e-mail, continues from the mailed link in a fresh browser, submits and opens the status page from
/// the acknowledgement mail. Every page visited passes axe.
/// </summary>
public sealed class ResidentFormTests(BrowserFixture browser)
{
    private const string Slug = "hoikusho-tensho";

    /// <summary>The demo form on a procedure of its own, and a small utf_all.csv (Japan Post's layout) with the postcode used.</summary>
    private static async Task PrepareAsync(AppServer app)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        db.Procedures.Add(new Procedure { Code = "KT-B0101", Name = "保育所転所申請", Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" });
        await db.SaveChangesAsync(ct);
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(DemoForms.All.Single(d => d.Json.Contains($"\"slug\": \"{Slug}\"", StringComparison.Ordinal)).Json, "KT-B0101", "test", ct);
        await forms.PublishAsync(Slug, "test", ct);

        var postcodes = Path.Combine(app.Folder, "utf_all.csv");
        await File.WriteAllTextAsync(postcodes,
            "13108,\"135  \",\"1350016\",\"トウキョウト\",\"コウトウク\",\"トウヨウ\",\"東京都\",\"江東区\",\"東陽\",0,0,0,0,0,0\n" +
            "13108,\"135  \",\"1350017\",\"トウキョウト\",\"コウトウク\",\"キタスナマチ\",\"東京都\",\"江東区\",\"北砂町\",0,0,0,0,0,0\n",
            new UTF8Encoding(false), ct);
        var imported = await scope.ServiceProvider.GetRequiredService<PostcodeImporter>().ImportAsync(postcodes, ct);
        Assert.True(imported.Applied, string.Join("; ", imported.Errors));
    }

    [Fact]
    public async Task A_resident_fills_the_form_on_a_phone_saves_it_by_mail_continues_elsewhere_and_submits()
    {
        await using var smtp = SmtpCapture.Start();
        await using var app = await AppServer.StartAsync(smtp.Settings);
        await PrepareAsync(app);

        string resumeLink;
        await using (var phone = await browser.OpenAsync(width: 375, height: 812))
        {
            var page = phone.Page;
            var form = new FormFillPage(page);
            await page.GotoAsync(app.Url($"/forms/{Slug}"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("保育所転所申請");
            await Axe.AssertAccessibleAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();

            // Page 1: フリガナ in hiragana, a 和暦 date with an impossible month first.
            await Expect(form.Heading).ToContainTextAsync("申請者");
            await form.FillAsync(new Dictionary<string, string>
            {
                ["applicantName.family"] = "山田",
                ["applicantName.given"] = "花子",
                ["applicantName.familyKana"] = "やまだ",
                ["applicantName.givenKana"] = "はなこ",
                ["applicantBirthDate"] = "平成2年13月1日",
                ["phone"] = "03-3647-9111",
                ["email"] = "hanako@example.jp",
            });
            await page.GetByRole(AriaRole.Radio, new() { Name = "勤務先の変更" }).CheckAsync();
            // Autosave: the typed answers reach the server draft without pressing a button.
            await Expect(form.AutosaveStatus).ToContainTextAsync("自動保存しました", new() { Timeout = 15_000 });
            var url = page.Url;
            await form.Next.ClickAsync();
            // The client-side check answers at once, in the server's markup, without leaving the page.
            await Expect(form.ErrorSummary).ToContainTextAsync("月は1から12までの数字で入力してください。");
            Assert.Equal(url, page.Url);
            await Expect(form.Field("applicantBirthDate")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(form.Field("applicantBirthDate")).ToHaveAccessibleDescriptionAsync(new Regex("月は1から12まで"));
            await Expect(page.Locator(":focus")).ToHaveClassAsync(new Regex("dads-error-summary"));
            await Axe.AssertAccessibleAsync(page);
            await form.Field("applicantBirthDate").FillAsync("平成2年4月1日");
            await form.NextAsync("住所");

            // Page 2: the postcode fills the address (JavaScript), which the resident completes.
            await Axe.AssertAccessibleAsync(page);
            await form.Field("postcode").FillAsync("１３５－００１６");
            await Expect(form.Field("address")).ToHaveValueAsync("東京都江東区東陽", new() { Timeout = 15_000 });
            await Expect(page.GetByTestId("postcode-status")).ToContainTextAsync("郵便番号から住所を入力しました: 東京都江東区東陽");
            await form.Field("address").FillAsync("東京都江東区東陽四丁目11番28号");
            await Axe.AssertAccessibleAsync(page);
            await form.NextAsync("世帯の状況と書類");

            // Page 3: two family members (one added), a 令和 date, a small PDF.
            await Axe.AssertAccessibleAsync(page);
            await form.FillAsync(new Dictionary<string, string>
            {
                ["family[0].memberName.family"] = "山田",
                ["family[0].memberName.given"] = "太郎",
                ["family[0].memberName.familyKana"] = "やまだ",
                ["family[0].memberName.givenKana"] = "たろう",
                ["family[0].memberBirthDate"] = "令和7年4月1日",
            });
            await form.Field("family[0].memberRelation").SelectOptionAsync("child");
            await page.GetByRole(AriaRole.Button, new() { Name = "もう1件追加する" }).ClickAsync();
            await Expect(form.GroupItems).ToHaveCountAsync(2);
            await Expect(form.Field("family[0].memberBirthDate")).ToHaveValueAsync("令和7年4月1日");
            await form.FillAsync(new Dictionary<string, string>
            {
                ["family[1].memberName.family"] = "山田",
                ["family[1].memberName.given"] = "一郎",
                ["family[1].memberName.familyKana"] = "ヤマダ",
                ["family[1].memberName.givenKana"] = "イチロウ",
                ["family[1].memberBirthDate"] = "S60.1.2",
            });
            await form.Field("family[1].memberRelation").SelectOptionAsync("spouse");
            await form.Field("employmentCertificate").SetInputFilesAsync(new FilePayload
            {
                Name = "就労証明書.pdf",
                MimeType = "application/pdf",
                Buffer = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray(),
            });
            await page.GetByRole(AriaRole.Button, new() { Name = "ファイルを添付する" }).ClickAsync();
            await Expect(page.GetByTestId("attached")).ToContainTextAsync("就労証明書.pdf");
            await page.GetByRole(AriaRole.Checkbox, new() { Name = "同意する" }).CheckAsync();
            await Axe.AssertAccessibleAsync(page);

            // Save for later, with the resume link sent by e-mail.
            await form.Later.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("入力内容を保存しました");
            await Expect(page.GetByLabel("再開用のリンクを送るメールアドレス")).ToHaveValueAsync("hanako@example.jp");
            await Axe.AssertAccessibleAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "メールで送る" }).ClickAsync();
            await Expect(page.GetByTestId("resume-sent")).ToContainTextAsync("hanako@example.jp");
            var code = (await page.GetByTestId("resume-code").InnerTextAsync()).Trim();
            await Axe.AssertAccessibleAsync(page);

            var mail = await smtp.NextAsync();
            Assert.Equal("hanako@example.jp", mail.To.ToString());
            Assert.Contains($"再開コード: {code}", mail.TextBody, StringComparison.Ordinal);
            resumeLink = Regex.Match(mail.TextBody ?? "", $@"{Regex.Escape(app.BaseUrl)}/forms/resume\?code=\S+").Value;
            Assert.NotEmpty(resumeLink);
        }

        // Another device: a fresh browser with no cookie of the first.
        await using var pc = await browser.OpenAsync(width: 375, height: 812);
        var p = pc.Page;
        var fill = new FormFillPage(p);
        await p.GotoAsync(resumeLink);
        await Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("保存した申請の続きをする");
        await Axe.AssertAccessibleAsync(p);
        await p.GetByRole(AriaRole.Button, new() { Name = "続きを開く" }).ClickAsync();
        await Expect(fill.Heading).ToContainTextAsync("世帯の状況と書類");
        await Expect(fill.GroupItems).ToHaveCountAsync(2);
        await Expect(p.GetByTestId("attached")).ToContainTextAsync("就労証明書.pdf");
        await Axe.AssertAccessibleAsync(p);
        await fill.NextAsync("入力内容の確認");

        var check = p.Locator("main");
        await Expect(check).ToContainTextAsync("山田 花子（ヤマダ ハナコ）");
        await Expect(check).ToContainTextAsync("平成2年4月1日（1990-04-01）");
        await Expect(check).ToContainTextAsync("東京都江東区東陽四丁目11番28号");
        await Expect(check).ToContainTextAsync("山田 太郎（ヤマダ タロウ）");
        await Expect(check).ToContainTextAsync("令和7年4月1日（2025-04-01）");
        await Expect(check).ToContainTextAsync("昭和60年1月2日（1985-01-02）");
        await Expect(check).ToContainTextAsync("就労証明書.pdf");
        await Axe.AssertAccessibleAsync(p);
        await p.GetByRole(AriaRole.Button, new() { Name = "この内容で申請する" }).ClickAsync();

        var receipt = (await p.GetByTestId("receipt").InnerTextAsync()).Trim();
        Assert.NotEmpty(receipt);
        await Axe.AssertAccessibleAsync(p);

        var ack = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", ack.To.ToString());
        Assert.Contains(receipt, ack.Subject, StringComparison.Ordinal);
        Assert.Contains($"受付番号: {receipt}", ack.TextBody, StringComparison.Ordinal);
        var statusLink = Regex.Match(ack.TextBody ?? "", $@"{Regex.Escape(app.BaseUrl)}/status/\S+").Value;
        Assert.NotEmpty(statusLink);

        await p.GotoAsync(statusLink);
        await Expect(p.Locator("main")).ToContainTextAsync(receipt);
        await Expect(p.Locator("main")).ToContainTextAsync("受付済み");
        await Axe.AssertAccessibleAsync(p);
    }

    [Fact]
    public async Task Typing_is_not_lost_when_the_resident_leaves_the_page_before_the_autosave_runs()
    {
        // Autosave waits for typing to stop (2 s). A resident who types and at once switches the language,
        // follows 戻る or leaves by the browser's own navigation used to lose what was typed meanwhile.
        await using var app = await AppServer.StartAsync();
        await PrepareAsync(app);
        await using var session = await browser.OpenAsync(width: 375, height: 812);
        var page = session.Page;
        var form = new FormFillPage(page);
        await page.GotoAsync(app.Url($"/forms/{Slug}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();
        await Expect(form.Heading).ToContainTextAsync("申請者");
        var firstPage = page.Url;

        // The language switch in the header.
        await form.Field("applicantName.family").FillAsync("山田");
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(form.Field("applicantName.family")).ToHaveValueAsync("山田");

        // The page's own back link (to the start page here): the draft holds the answer when the page is opened again.
        await form.Field("applicantName.given").FillAsync("花子");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back", Exact = true }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(firstPage);
        await page.GotoAsync(firstPage);
        await Expect(form.Field("applicantName.given")).ToHaveValueAsync("花子");

        // Leaving without a link (address bar, the browser's back button): the save is sent as the page goes.
        await form.Field("applicantName.familyKana").FillAsync("ヤマダ");
        await page.GotoAsync(app.Url("/healthz"));
        var kept = "";
        for (var attempt = 0; attempt < 20 && kept != "ヤマダ"; attempt++)
        {
            // The browser sends it after the page has gone: the server may not have it the very moment after.
            if (attempt > 0) await Task.Delay(250, TestContext.Current.CancellationToken);
            await page.GotoAsync(firstPage);
            kept = await form.Field("applicantName.familyKana").InputValueAsync();
        }
        Assert.Equal("ヤマダ", kept);
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task A_question_that_follows_an_answer_on_the_same_page_appears_and_goes_as_the_answer_changes()
    {
        await using var app = await AppServer.StartAsync();
        await PrepareAsync(app);
        await using var session = await browser.OpenAsync(width: 375, height: 812);
        var page = session.Page;
        var form = new FormFillPage(page);
        await page.GotoAsync(app.Url($"/forms/{Slug}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();
        await Expect(form.Heading).ToContainTextAsync("申請者");
        var url = page.Url;

        var other = page.GetByRole(AriaRole.Textbox, new() { Name = "その他の理由" });
        await Expect(other).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "その他" }).CheckAsync();
        // At once, without sending the page.
        await Expect(other).ToBeVisibleAsync();
        Assert.Equal(url, page.Url);
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Radio, new() { Name = "転居" }).CheckAsync();
        await Expect(other).ToBeHiddenAsync();

        // A hidden question is not asked for: the browser's checks name only what is on the page.
        await form.Next.ClickAsync();
        await Expect(form.ErrorSummary).ToBeVisibleAsync();
        await Expect(form.ErrorSummary.Locator("a[href='#f-reasonOther']")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Radio, new() { Name = "その他" }).CheckAsync();
        await form.Next.ClickAsync();
        await Expect(form.ErrorSummary.Locator("a[href='#f-reasonOther']")).ToHaveCountAsync(1);
        Assert.Equal(url, page.Url);
    }

    [Fact]
    public async Task Without_javascript_the_form_still_saves_and_the_server_reports_the_errors()
    {
        await using var app = await AppServer.StartAsync();
        await PrepareAsync(app);
        await using var session = await browser.OpenAsync(javaScript: false, width: 375, height: 812);
        var page = session.Page;
        var form = new FormFillPage(page);
        await page.GotoAsync(app.Url($"/forms/{Slug}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();

        await form.Field("applicantName.familyKana").FillAsync("yamada");
        await form.Next.ClickAsync();

        await Expect(form.ErrorSummary).ToContainTextAsync("フリガナに使えない文字");
        await Expect(form.Field("applicantName.familyKana")).ToHaveValueAsync("yamada");
        await Expect(form.AutosaveStatus).ToBeEmptyAsync();
    }

    [Fact]
    public async Task Optional_questions_left_empty_do_not_stop_a_resident_whose_browser_runs_the_checks()
    {
        // The demo's 理容所の届出: 備考 (long text) and 還付金の振込先口座 (bank account) are optional on
        // its second page, 記載する事項 (checkboxes) on the first page of 住民票の写し. The browser's checks
        // once took every such question for a required one and would not let the resident go on.
        await using var app = await AppServer.StartAsync();
        await app.LoadDemoAsync();
        await using var session = await browser.OpenAsync(width: 375, height: 812);
        var page = session.Page;
        var form = new FormFillPage(page);

        await page.GotoAsync(app.Url("/forms/juminhyo-utsushi"));
        await page.GetByTestId("start").ClickAsync();
        await form.Field("copies").FillAsync("1");
        await form.Field("purpose").SelectOptionAsync("work");
        await form.NextAsync("請求者");

        await page.GotoAsync(app.Url("/forms/riyousho-todoke"));
        await page.GetByTestId("start").ClickAsync();
        await page.GetByLabel("個人", new() { Exact = true }).CheckAsync();
        await form.Field("operatorName").FillAsync("江東 理容");
        await form.Field("phone").FillAsync("03-3647-9111");
        await form.NextAsync("理容所");
        await form.Field("shopName").FillAsync("バーバー東陽");
        await form.Field("chairs").FillAsync("3");
        await form.Field("consent").CheckAsync();
        await form.Next.ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/forms/riyousho-todoke/check$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("入力内容の確認");
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task A_question_brought_up_by_an_answer_the_start_page_of_an_application_in_progress_and_the_check_pages_errors_pass_axe()
    {
        await using var app = await AppServer.StartAsync();
        await PrepareAsync(app);
        // Without the page's script: with it, その他の理由 appears as soon as その他 is chosen (the test above),
        // so the notice is what a resident sees whose browser did not run it (blocked here, so that axe,
        // which needs JavaScript, still runs).
        await using var phone = await browser.OpenAsync(width: 375, height: 812);
        var page = phone.Page;
        await page.RouteAsync("**/js/form-fill.js", route => route.AbortAsync());
        var form = new FormFillPage(page);
        await page.GotoAsync(app.Url($"/forms/{Slug}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();
        await Expect(form.Heading).ToContainTextAsync("申請者");
        await form.FillAsync(new Dictionary<string, string>
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["applicantBirthDate"] = "平成2年4月1日",
            ["phone"] = "03-3647-9111",
        });
        await page.GetByRole(AriaRole.Radio, new() { Name = "その他" }).CheckAsync();

        // その他 brings up その他の理由: a notice, not an error, with the new question on the page.
        await form.Next.ClickAsync();
        await Expect(page.GetByTestId("revealed")).ToContainTextAsync("その他の理由");
        await Expect(form.ErrorSummary).ToHaveCountAsync(0);
        await Axe.AssertAccessibleAsync(page);

        // Back at the form's address: continue first, starting again second.
        await page.GotoAsync(app.Url($"/forms/{Slug}"));
        await Expect(page.GetByTestId("in-progress")).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "続きから入力する" }).ClickAsync();
        await Expect(form.Heading).ToContainTextAsync("申請者");

        // The check page names each missing answer's question and its page.
        await page.GotoAsync(app.Url($"/forms/{Slug}/check"));
        await Expect(form.ErrorSummary).ToContainTextAsync("その他の理由: 入力してください。（申請者のページ）");
        await Axe.AssertAccessibleAsync(page);
    }
}
