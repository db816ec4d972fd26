using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// Issue 6: a member of staff builds a three-page form with the keyboard alone (Tab, Enter, arrow
/// keys and typing; no clicks), reorders it, publishes it, and every designer page passes axe. Then
/// changes a published form (a key renamed, a field removed, a required one added) and publishes
/// version 2, onto which a resident's version 1 draft resumes and is submitted.
/// </summary>
public sealed class FormDesignerTests(BrowserFixture browser)
{
    [Fact]
    public async Task Staff_build_a_three_page_form_with_the_keyboard_only_and_publish_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            db.Procedures.Add(new Procedure { Code = "KT-K0001", Name = "キーボード手続", Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" });
            await db.SaveChangesAsync(ct);
        }
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        var keys = new Keyboard(page);

        await page.GotoAsync(app.Url("/staff/designer"));
        await Axe.AssertAccessibleAsync(page);
        await keys.ActivateAsync(page.GetByRole(AriaRole.Link, new() { Name = "新しいフォームを作る" }));

        // Create: the procedure is the first choice after "選んでください".
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "新しいフォームを作る", Level = 1 })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
        await keys.FocusAsync(page.GetByLabel("手続"));
        await page.Keyboard.PressAsync("ArrowDown");
        await keys.TypeAsync(page.GetByLabel("アドレス（slug）"), "keyboard-form");
        await keys.TypeAsync(page.GetByLabel("フォームの名前（日本語）"), "キーボードで作った申請");
        await keys.TypeAsync(page.GetByLabel("最初のページの見出し"), "申請する人");
        await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "作成する" }));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "キーボードで作った申請 の編集", Level = 1 })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        // Page 1: two fields (text is the first kind in the list).
        await AddFieldAsync(keys, page, 0, 0, "fullName", "氏名", required: true, axe: true);
        await AddFieldAsync(keys, page, 0, 0, "address", "住所", required: false);

        // Page 2 and 3: added, titled on their own page, each with a field.
        foreach (var (title, p, key, label, arrows) in new[] { ("連絡先", 1, "email", "メールアドレス", 3), ("確認", 2, "kind", "申請の区分", 10) })
        {
            await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "ページを追加" }));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("ページを編集");
            if (p == 1) await Axe.AssertAccessibleAsync(page);
            await keys.TypeAsync(page.GetByLabel("見出し（日本語）"), title, replace: true);
            await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "保存する", Exact = true }));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{p + 1}ページ目: {title}" })).ToBeVisibleAsync();
            await AddFieldAsync(keys, page, p, arrows, key, label, required: true, options: arrows == 10 ? "new|新規\nrenew|更新" : null);
        }

        // The starting text of each page is no longer needed: remove it from page 1 (keyboard, then Enter).
        await keys.ActivateAsync(page.Locator("#item-0-0 button[value='remove:0:0']"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("削除しました");
        // Reorder: 住所 above 氏名; with designer.js the focus comes back to the moved button at its new place.
        await keys.ActivateAsync(page.Locator("#up-item-0-1"));
        await Expect(page.Locator("#page-0 .designer-item__name").First).ToHaveTextAsync("住所");
        await Expect(page.Locator("#up-item-0-0")).ToBeFocusedAsync();
        await Expect(page.Locator("#page-0 .designer-item__name")).ToHaveTextAsync(["住所", "氏名"]);

        // Preview at both widths, with the keyboard.
        await keys.ActivateAsync(page.GetByRole(AriaRole.Link, new() { Name = "プレビュー（住民に見える画面）" }));
        await Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-width", "phone");
        await Axe.AssertAccessibleAsync(page);
        await keys.ActivateAsync(page.GetByRole(AriaRole.Link, new() { Name = "パソコンの幅" }));
        await Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-width", "desktop");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "新規" })).ToBeVisibleAsync();
        await keys.ActivateAsync(page.GetByRole(AriaRole.Navigation, new() { Name = "パンくずリスト" }).GetByRole(AriaRole.Link, new() { Name = "キーボードで作った申請" }));

        // Settings page, then back without saving.
        await keys.ActivateAsync(page.GetByRole(AriaRole.Link, new() { Name = "フォームの名前と説明を編集" }));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "フォームの名前と説明", Level = 1 })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
        await keys.ActivateAsync(page.GetByRole(AriaRole.Link, new() { Name = "保存せずに戻る" }));
        await Expect(page.GetByTestId("status")).ToBeVisibleAsync();

        await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "公開する", Exact = true }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("第1版を公開しました。");
        await Expect(page.GetByTestId("status")).ToHaveTextAsync("第1版を公開中");
        await Axe.AssertAccessibleAsync(page);

        await using var check = app.Services.CreateAsyncScope();
        var json = await check.ServiceProvider.GetRequiredService<MadoguchiDbContext>().FormVersions.Select(v => v.DefinitionJson).SingleAsync(ct);
        var d = FormService.Definition(json);
        Assert.Equal(["申請する人", "連絡先", "確認"], d.Pages.Select(p => p.Title.Ja));
        Assert.Equal(["address", "fullName", "email", "kind"], d.AllFields.Select(f => f.Key));
        Assert.True(d.AllFields.Single(f => f.Key == "fullName").Required);
        Assert.Equal(["new", "renew"], d.AllFields.Single(f => f.Key == "kind").Settings.Options!.Select(o => o.Value));
    }

    private const string VersionedForm = """
    {
      "slug": "versioned-form",
      "title": { "ja": "版を重ねる申請" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請する人" },
          "items": [
            { "type": "text", "key": "fullName", "required": true, "label": { "ja": "氏名" } },
            { "type": "text", "key": "nickname", "label": { "ja": "呼び名" } }
          ] },
        { "key": "contact", "title": { "ja": "連絡先" },
          "items": [ { "type": "text", "key": "contactTime", "required": true, "label": { "ja": "連絡のつく時間帯" } } ] },
        { "key": "confirm", "title": { "ja": "確認" },
          "items": [ { "type": "radio", "key": "kind", "required": true, "label": { "ja": "申請の区分" },
            "options": [ { "value": "new", "label": { "ja": "新規" } }, { "value": "renew", "label": { "ja": "更新" } } ] } ] }
      ]
    }
    """;

    [Fact]
    public async Task A_draft_started_on_version_1_resumes_on_the_version_2_staff_published_with_the_keyboard_and_is_submitted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            db.Procedures.Add(new Procedure { Code = "KT-K0002", Name = "版の手続", Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" });
            await db.SaveChangesAsync(ct);
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(VersionedForm, "KT-K0002", "test", ct);
            await forms.PublishAsync("versioned-form", "test", ct);
        }

        // A resident on a phone fills page 1 of version 1 and saves it for later.
        string code;
        await using (var phone = await browser.OpenAsync(width: 375, height: 812))
        {
            var page = phone.Page;
            var form = new FormFillPage(page);
            await page.GotoAsync(app.Url("/forms/versioned-form"));
            await page.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();
            await Expect(form.Heading).ToContainTextAsync("申請する人");
            await form.FillAsync(new Dictionary<string, string> { ["fullName"] = "山田 花子", ["nickname"] = "はなちゃん" });
            await form.Later.ClickAsync();
            code = (await page.GetByTestId("resume-code").InnerTextAsync()).Trim();
            Assert.NotEmpty(code);
        }

        // Staff, with the keyboard only: rename 氏名's key, remove 呼び名, publish version 2.
        await using (var session = await browser.OpenAsync())
        {
            var page = session.Page;
            await SignInPage.SignInAsync(page, app, Roles.Dx);
            var keys = new Keyboard(page);
            await page.GotoAsync(app.Url("/staff/designer/versioned-form"));
            await Expect(page.GetByTestId("status")).ToHaveTextAsync("第1版を公開中");
            await Axe.AssertAccessibleAsync(page);

            await keys.ActivateAsync(page.Locator("#item-0-0 .designer-item__name a"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("項目を編集: 氏名");
            await Axe.AssertAccessibleAsync(page);
            await keys.TypeAsync(page.GetByLabel("項目キー"), "applicantName", replace: true);
            await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "保存する", Exact = true }));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("項目「氏名」を保存しました。");

            await keys.ActivateAsync(page.Locator("#item-0-1 button[value='remove:0:1']"));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("項目「呼び名」を削除しました。");
            await Expect(page.GetByTestId("key-changes")).ToContainTextAsync("名前の変更: fullName → applicantName");
            await Expect(page.GetByTestId("key-changes")).ToContainTextAsync("削除: nickname");
            await Axe.AssertAccessibleAsync(page);
            // A new required question on the page the resident already filled: they must be asked for it.
            await AddFieldAsync(keys, page, 0, 0, "daytimeContact", "日中の連絡方法", required: true);

            await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "変更を公開する", Exact = true }));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("第2版を公開しました。");
            await Expect(page.GetByTestId("status")).ToHaveTextAsync("第2版を公開中");
            await Axe.AssertAccessibleAsync(page);
        }

        // The resident, on another phone, resumes with the code: the draft moves to version 2 with the answer kept.
        await using var other = await browser.OpenAsync(width: 375, height: 812);
        var p = other.Page;
        var fill = new FormFillPage(p);
        await p.GotoAsync(app.Url("/forms/resume"));
        await p.GetByLabel("再開コード").FillAsync(code);
        await p.GetByRole(AriaRole.Button, new() { Name = "続きを開く" }).ClickAsync();
        await Expect(fill.Heading).ToContainTextAsync("申請する人");
        await Expect(fill.Field("applicantName")).ToHaveValueAsync("山田 花子");
        await Expect(fill.Field("fullName")).ToHaveCountAsync(0);
        await Expect(fill.Field("nickname")).ToHaveCountAsync(0);
        // The rename keeps the answer and the removal asks nothing; only the new required question is listed.
        await Expect(p.GetByTestId("refill")).ToContainTextAsync("フォームが新しくなりました");
        await Expect(p.GetByTestId("refill")).ToContainTextAsync("日中の連絡方法");
        await Expect(p.GetByTestId("refill")).Not.ToContainTextAsync("氏名");
        await Axe.AssertAccessibleAsync(p);
        await fill.Field("daytimeContact").FillAsync("携帯電話");
        await fill.NextAsync("連絡先");
        await Expect(p.GetByTestId("refill")).ToHaveCountAsync(0);
        await fill.Field("contactTime").FillAsync("平日の午前");
        await fill.NextAsync("確認");
        await p.GetByRole(AriaRole.Radio, new() { Name = "新規" }).CheckAsync();
        await fill.NextAsync("入力内容の確認");
        await Expect(p.Locator("main")).ToContainTextAsync("山田 花子");
        await Expect(p.Locator("main")).Not.ToContainTextAsync("はなちゃん");
        await p.GetByRole(AriaRole.Button, new() { Name = "この内容で申請する" }).ClickAsync();
        var receipt = (await p.GetByTestId("receipt").InnerTextAsync()).Trim();
        Assert.NotEmpty(receipt);
        await Axe.AssertAccessibleAsync(p);

        await using var check = app.Services.CreateAsyncScope();
        var db2 = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var v2 = FormService.Definition(await db2.FormVersions.Where(v => v.Number == 2).Select(v => v.DefinitionJson).SingleAsync(ct));
        Assert.Equal(1, v2.Changes!.From);
        var submission = await db2.Submissions.SingleAsync(ct);
        Assert.Equal(2, submission.FormVersionNumber);
        var answers = System.Text.Json.Nodes.JsonNode.Parse(submission.AnswersJson)!.AsObject();
        Assert.Equal("山田 花子", answers["applicantName"]!.GetValue<string>());
        Assert.Equal("携帯電話", answers["daytimeContact"]!.GetValue<string>());
        Assert.False(answers.ContainsKey("fullName") || answers.ContainsKey("nickname"));
    }

    private const string FeeForm = """
    {
      "slug": "fee-form",
      "title": { "ja": "写しの請求" },
      "pages": [
        { "key": "request", "title": { "ja": "請求の内容" },
          "items": [
            { "type": "number", "key": "copies", "required": true, "min": 1, "max": 10, "unit": "通", "label": { "ja": "必要な通数" } },
            { "type": "fee", "label": { "ja": "手数料" }, "yen": 300 }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task Staff_charge_a_fee_per_copy_with_the_keyboard_and_a_fee_too_large_for_the_count_is_shown_by_the_choice()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            db.Procedures.Add(new Procedure { Code = "KT-K0003", Name = "写しの手続", Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" });
            await db.SaveChangesAsync(ct);
            await scope.ServiceProvider.GetRequiredService<FormService>().ImportAsync(FeeForm, "KT-K0003", "test", ct);
        }
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        var keys = new Keyboard(page);
        await page.GotoAsync(app.Url("/staff/designer/fee-form"));
        await keys.ActivateAsync(page.Locator("#item-0-1 .designer-item__name a"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("項目を編集: 手数料");

        // 2,000,000円 × at most 10 copies is over the 10,000,000円 limit: the error stands by the choice.
        var per = page.GetByLabel("数に応じた金額にする項目");
        await keys.FocusAsync(per);
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(per).ToHaveValueAsync("copies");
        await keys.TypeAsync(page.GetByLabel("金額（円）"), "2000000", replace: true);
        await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "保存する", Exact = true }));
        await Expect(page.Locator("#Input_Per-error")).ToContainTextAsync("max を 5 以下にしてください");
        await Expect(per).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertAccessibleAsync(page);

        await keys.TypeAsync(page.GetByLabel("金額（円）"), "300", replace: true);
        await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "保存する", Exact = true }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("項目「手数料」を保存しました。");
        await page.GotoAsync(app.Url("/staff/designer/fee-form/preview"));
        await Expect(page.Locator("#preview")).ToContainTextAsync("1通につき300円");
        await Axe.AssertAccessibleAsync(page);

        await using var check = app.Services.CreateAsyncScope();
        var json = await check.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Forms.Select(f => f.WorkingJson).SingleAsync(ct);
        Assert.Equal("copies", Assert.IsType<FeeDisplay>(FormService.Definition(json).Pages[0].Items[1]).Per);
    }

    /// <summary>Chooses a kind in page <paramref name="p"/>'s list (<paramref name="arrows"/> presses down from 1行テキスト) and fills the item page.</summary>
    private static async Task AddFieldAsync(Keyboard keys, IPage page, int p, int arrows, string key, string label, bool required, bool axe = false, string? options = null)
    {
        await keys.FocusAsync(page.Locator($"#add-{p}"));
        for (var i = 0; i < arrows; i++) await page.Keyboard.PressAsync("ArrowDown");
        await keys.ActivateAsync(page.Locator($"#page-{p} .designer-add button"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("項目を追加");
        if (axe) await Axe.AssertAccessibleAsync(page);
        await keys.TypeAsync(page.GetByLabel("項目キー"), key, replace: true);
        await keys.TypeAsync(page.GetByLabel("ラベル（日本語）"), label);
        if (options is not null) await keys.TypeAsync(page.GetByLabel("選択肢"), options, replace: true);
        if (required)
        {
            await keys.FocusAsync(page.GetByLabel("必須にする"));
            await page.Keyboard.PressAsync("Space");
        }
        await keys.ActivateAsync(page.GetByRole(AriaRole.Button, new() { Name = "追加する", Exact = true }));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"項目「{label}」を保存しました。");
    }

    /// <summary>Moves through a page with Tab only, as a keyboard user does.</summary>
    private sealed class Keyboard(IPage page)
    {
        public async Task FocusAsync(ILocator target)
        {
            for (var i = 0; i < 250; i++)
            {
                if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return;
                await page.Keyboard.PressAsync("Tab");
            }
            throw new InvalidOperationException($"Tab never reached {target} on {page.Url}");
        }

        public async Task ActivateAsync(ILocator target)
        {
            await FocusAsync(target);
            await page.Keyboard.PressAsync("Enter");
        }

        public async Task TypeAsync(ILocator target, string text, bool replace = false)
        {
            await FocusAsync(target);
            if (replace) await page.Keyboard.PressAsync("Control+A");
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (i > 0) await page.Keyboard.PressAsync("Enter");
                await page.Keyboard.TypeAsync(lines[i]);
            }
        }
    }
}
