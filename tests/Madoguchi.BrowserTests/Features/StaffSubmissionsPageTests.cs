using System.Text.Json.Nodes;
using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class StaffSubmissionsPageTests(BrowserFixture browser)
{
    private const string FormJson = """
    {
      "slug": "browser-test-form",
      "title": { "ja": "ブラウザテストの申請" },
      "pages": [
        { "key": "p1", "title": { "ja": "申請者" },
          "items": [
            { "type": "text", "key": "fullName", "required": true, "maxLength": 40, "label": { "ja": "氏名" } },
            { "type": "date", "key": "birthDate", "required": true, "label": { "ja": "生年月日" } }
          ] }
      ]
    }
    """;

    [Fact]
    public async Task Dx_staff_open_a_forms_submissions_from_the_list_and_both_pages_are_accessible()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        string receipt;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            db.Procedures.Add(new Procedure { Code = "KT-B0001", Name = "ブラウザテスト手続", Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" });
            await db.SaveChangesAsync(ct);
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(FormJson, "KT-B0001", "test", ct);
            await forms.PublishAsync("browser-test-form", "test", ct);
            var result = await scope.ServiceProvider.GetRequiredService<SubmissionService>().SubmitAsync("browser-test-form", null,
                new JsonObject { ["fullName"] = "山田 花子 <b>太字</b>", ["birthDate"] = "令和元年5月1日" }, AnswerChecker.Mode.Strict, "ja", null, "api", ct);
            receipt = Assert.IsType<SubmissionService.Result.Accepted>(result).ReceiptNumber;
        }
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);

        await page.GotoAsync(app.Url("/staff"));
        await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "申請の受付一覧" }).ClickAsync();
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "ブラウザテストの申請", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = $"受付番号 {receipt}" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("山田 花子 <b>太字</b>");
        await Expect(page.Locator("main")).ToContainTextAsync("令和元年5月1日（2019-05-01）");
        await Axe.AssertAccessibleAsync(page);
    }
}
