using System.Text.RegularExpressions;
using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// Issue 7's journey: a resident applies; staff of the department open the case, take it, ask for a
/// correction of two questions; the resident corrects through the e-mailed link; staff complete the
/// case; the resident's status page shows each step. Every page visited passes axe.
/// </summary>
public sealed class CaseCorrectionTests(BrowserFixture browser)
{
    private const string Slug = "hoiku-riyou";

    private const string FormJson = """
    {
      "slug": "hoiku-riyou",
      "title": { "ja": "保育の利用申込" },
      "pages": [
        { "key": "applicant", "title": { "ja": "申請者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "email", "key": "email", "required": true, "label": { "ja": "メールアドレス" } },
            { "type": "radio", "key": "reason", "required": true, "label": { "ja": "理由" },
              "options": [ { "value": "work", "label": { "ja": "就労" } }, { "value": "illness", "label": { "ja": "疾病" } } ] }
          ] },
        { "key": "family", "title": { "ja": "お子さん" },
          "items": [
            { "type": "group", "key": "children", "min": 1, "max": 3, "label": { "ja": "お子さん" },
              "fields": [
                { "type": "text", "key": "childName", "required": true, "maxLength": 40, "label": { "ja": "お子さんのお名前" } },
                { "type": "date", "key": "childBirthDate", "required": true, "label": { "ja": "お子さんの生年月日" } }
              ] }
          ] }
      ]
    }
    """;

    private static async Task<Guid> PrepareAsync(AppServer app)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var department = new Department { Bu = "こども未来部", Ka = "保育課" };
        db.Departments.Add(department);
        db.Procedures.Add(new Procedure { Code = "KT-B0201", Name = "保育所等の利用申込", Department = department, Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人", StandardProcessingDays = 10 });
        await db.SaveChangesAsync(ct);
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(FormJson, "KT-B0201", "test", ct);
        await forms.PublishAsync(Slug, "test", ct);
        return department.Id;
    }

    [Fact]
    public async Task Staff_ask_for_a_correction_of_two_questions_the_resident_corrects_by_the_mailed_link_and_sees_each_step()
    {
        await using var smtp = SmtpCapture.Start();
        await using var app = await AppServer.StartAsync(smtp.Settings);
        var department = await PrepareAsync(app);

        // The resident applies on a phone.
        await using var phone = await browser.OpenAsync(width: 375, height: 812);
        var p = phone.Page;
        var form = new FormFillPage(p);
        await p.GotoAsync(app.Url($"/forms/{Slug}"));
        await p.GetByRole(AriaRole.Button, new() { Name = "申請を始める" }).ClickAsync();
        await Expect(form.Heading).ToContainTextAsync("申請者");
        await form.FillAsync(new Dictionary<string, string>
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
            ["email"] = "hanako@example.jp",
        });
        await p.GetByRole(AriaRole.Radio, new() { Name = "就労" }).CheckAsync();
        await form.NextAsync("お子さん");
        await form.FillAsync(new Dictionary<string, string> { ["children[0].childName"] = "山田 太朗", ["children[0].childBirthDate"] = "令和5年6月1日" });
        await form.NextAsync("入力内容の確認");
        await p.GetByRole(AriaRole.Button, new() { Name = "この内容で申請する" }).ClickAsync();
        var receipt = (await p.GetByTestId("receipt").InnerTextAsync()).Trim();
        var ack = await smtp.NextAsync();
        var statusLink = Regex.Match(ack.TextBody ?? "", $@"{Regex.Escape(app.BaseUrl)}/status/\S+").Value;
        Assert.NotEmpty(statusLink);

        // Staff of the department open their ledger from the staff home: the new case is there, unread.
        Guid procedureId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            procedureId = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Procedures.Where(x => x.Code == "KT-B0201").Select(x => x.Id).SingleAsync(TestContext.Current.CancellationToken);
        }
        await using var desk = await browser.OpenAsync();
        var s = desk.Page;
        await SignInPage.SignInAsync(s, app, Roles.Staff, department);
        await s.GotoAsync(app.Url($"/staff/ledger/{procedureId}"));
        var row = s.GetByRole(AriaRole.Row).Filter(new() { HasText = receipt });
        await Expect(row.GetByTestId("unread")).ToHaveTextAsync("未読");
        await Axe.AssertAccessibleAsync(s);
        await row.GetByRole(AriaRole.Link, new() { Name = receipt }).ClickAsync();
        await Expect(s.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"受付番号 {receipt}");
        await Expect(s.GetByTestId("answers")).ToContainTextAsync("山田 花子（ヤマダ ハナコ）");
        await Axe.AssertAccessibleAsync(s);

        await s.GetByRole(AriaRole.Button, new() { Name = "自分に割り当て" }).ClickAsync();
        await Expect(s.GetByTestId("done")).ToContainTextAsync("担当者を変更しました");
        await Expect(s.GetByTestId("assignee")).Not.ToHaveTextAsync("（担当なし）");
        await Axe.AssertAccessibleAsync(s);

        await s.GetByRole(AriaRole.Checkbox, new() { Name = "氏名" }).CheckAsync();
        await s.GetByRole(AriaRole.Checkbox, new() { Name = "お子さん" }).CheckAsync();
        await s.GetByLabel("申請者へのメッセージ").FillAsync("お名前の漢字と、お子さんのお名前の漢字を確認してください。");
        await s.GetByRole(AriaRole.Button, new() { Name = "補正を依頼する" }).ClickAsync();
        await Expect(s.GetByTestId("done")).ToContainTextAsync("補正依頼を送りました");
        await Expect(s.GetByTestId("due")).ToContainTextAsync("補正待ち（期限の計算を停止中）");
        await Axe.AssertAccessibleAsync(s);

        // The resident corrects through the e-mailed link: only the two questions are asked.
        var mail = await smtp.NextAsync();
        Assert.Contains(receipt, mail.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("山田", mail.TextBody, StringComparison.Ordinal);
        var correctionLink = Regex.Match(mail.TextBody ?? "", $@"{Regex.Escape(app.BaseUrl)}/corrections/\S+").Value;
        Assert.NotEmpty(correctionLink);
        await p.GotoAsync(correctionLink);
        await Expect(p.GetByTestId("correction-message")).ToHaveTextAsync("お名前の漢字と、お子さんのお名前の漢字を確認してください。");
        await Expect(form.Field("email")).ToHaveCountAsync(0);
        await Expect(form.Field("applicantName.given")).ToHaveValueAsync("花子");
        await Axe.AssertAccessibleAsync(p);
        await form.Field("children[0].childName").FillAsync("");
        await p.GetByRole(AriaRole.Button, new() { Name = "修正して送る" }).ClickAsync();
        await Expect(form.ErrorSummary).ToBeVisibleAsync();
        await Expect(form.Field("children[0].childName")).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertAccessibleAsync(p);
        await form.Field("applicantName.given").FillAsync("華子");
        await form.Field("children[0].childName").FillAsync("山田 太郎");
        await p.GetByRole(AriaRole.Button, new() { Name = "修正して送る" }).ClickAsync();
        await Expect(p.GetByTestId("correction-done")).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(p);

        // Staff see the corrected answers beside the original and complete the case.
        await s.ReloadAsync();
        await Expect(s.GetByTestId("answers")).ToContainTextAsync("山田 華子");
        await Expect(s.GetByTestId("original")).ToContainTextAsync("山田 花子");
        await Expect(s.GetByTestId("status")).ToHaveTextAsync("審査中");
        await Axe.AssertAccessibleAsync(s);
        await s.GetByRole(AriaRole.Button, new() { Name = "「完了」にする" }).ClickAsync();
        await Expect(s.GetByTestId("status")).ToHaveTextAsync("完了");
        await Axe.AssertAccessibleAsync(s);

        // The resident's status page lists each step.
        await p.GotoAsync(statusLink);
        var steps = p.GetByTestId("steps");
        await Expect(steps.Locator("li")).ToHaveCountAsync(4);
        await Expect(steps.Locator("li").Nth(0)).ToContainTextAsync("受付");
        await Expect(steps.Locator("li").Nth(1)).ToContainTextAsync("補正のお願い");
        await Expect(steps.Locator("li").Nth(1)).ToContainTextAsync("お名前の漢字と");
        await Expect(steps.Locator("li").Nth(2)).ToContainTextAsync("補正済み");
        await Expect(steps.Locator("li").Nth(2)).ToContainTextAsync("審査中");
        await Expect(steps.Locator("li").Nth(3)).ToContainTextAsync("完了");
        await Expect(p.GetByTestId("current-status")).ToHaveTextAsync("完了");
        await Axe.AssertAccessibleAsync(p);
    }
}
