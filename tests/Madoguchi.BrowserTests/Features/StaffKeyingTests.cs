using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// Staff key a mailed application; the check page refuses its 受付日, and the error leads to the page that
/// changes it, where a wrong date is refused as on the start page; then it goes through. Every page passes axe.
/// </summary>
public sealed class StaffKeyingTests(BrowserFixture browser)
{
    private const string FormJson = """
    {
      "slug": "jidou-teate",
      "title": { "ja": "児童手当の認定請求" },
      "pages": [
        { "key": "applicant", "title": { "ja": "請求者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "氏名" } },
            { "type": "text", "key": "note", "maxLength": 100, "label": { "ja": "備考" } }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task A_refused_receipt_date_is_changed_from_the_check_page_and_the_application_goes_through()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        Guid procedureId;
        Guid departmentId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var department = new Department { Bu = "こども未来部", Ka = "こども家庭課" };
            var procedure = new Procedure { Code = "KT-B0301", Name = "児童手当の認定請求", Department = department, Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" };
            db.Departments.Add(department);
            db.Procedures.Add(procedure);
            await db.SaveChangesAsync(ct);
            (procedureId, departmentId) = (procedure.Id, department.Id);
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(FormJson, "KT-B0301", "test", ct);
            await forms.PublishAsync("jidou-teate", "test", ct);
        }
        var today = JapanTime.Today(TimeProvider.System);
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var form = new FormFillPage(page);
        await SignInPage.SignInAsync(page, app, Roles.Staff, departmentId);
        await page.GotoAsync(app.Url($"/staff/ledger/{procedureId}/new"));
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Radio, new() { Name = "郵送" }).CheckAsync();
        await page.GetByLabel("受付日（郵送のとき）").FillAsync(Iso(today));
        await page.GetByTestId("start-keying").ClickAsync();
        await Expect(form.Heading).ToContainTextAsync("請求者");
        await form.FillAsync(new Dictionary<string, string>
        {
            ["applicantName.family"] = "山田",
            ["applicantName.given"] = "花子",
            ["applicantName.familyKana"] = "ヤマダ",
            ["applicantName.givenKana"] = "ハナコ",
        });
        await form.NextAsync("入力内容の確認");
        // A draft saved with a 受付日 more than a year back (before the start page checked it).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Drafts
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.KeyedReceivedOn, today.AddYears(-2)), ct);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "この内容で申請する" }).ClickAsync();
        var refusal = form.ErrorSummary.GetByRole(AriaRole.Link, new() { Name = $"受付日 {Iso(today.AddYears(-2))} は1年以上前の日付のため" });
        await Expect(refusal).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
        await refusal.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("受付日・受付の方法の変更");
        var receivedOn = page.GetByLabel("受付日（郵送のとき）");
        await Expect(receivedOn).ToHaveValueAsync(Iso(today.AddYears(-2)));
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "郵送" })).ToBeCheckedAsync();
        await Axe.AssertAccessibleAsync(page);
        await receivedOn.FillAsync("1900-01-01");
        await page.GetByTestId("save-received").ClickAsync();
        await Expect(page.Locator(".dads-error-summary").GetByRole(AriaRole.Link)).ToContainTextAsync("受付日 1900-01-01 は1年以上前の日付です。");
        await Expect(receivedOn).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertAccessibleAsync(page);

        await receivedOn.FillAsync(Iso(today));
        await page.GetByTestId("save-received").ClickAsync();
        await Expect(page.GetByTestId("keying")).ToContainTextAsync($"（{Iso(today)}）");
        await page.GetByRole(AriaRole.Button, new() { Name = "この内容で申請する" }).ClickAsync();
        await Expect(page.GetByTestId("receipt")).Not.ToBeEmptyAsync();
        await Axe.AssertAccessibleAsync(page);
    }
}
