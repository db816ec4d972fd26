using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class AuditPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_auditor_searches_the_trail_by_action_and_sees_date_errors_accessibly()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Auditor);
        var audit = new AuditPage(page, app);
        await audit.GotoAsync();
        await Expect(audit.Table).ToContainTextAsync("staff.second-factor.enrolled");
        await Axe.AssertAccessibleAsync(page);

        await audit.Action.SelectOptionAsync("staff.signin");
        await audit.SearchAsync();
        await Expect(audit.Table).ToContainTextAsync("staff.signin");
        await Expect(audit.Table).Not.ToContainTextAsync("staff.second-factor.enrolled");

        await audit.From.FillAsync("2025-13-45");
        await audit.SearchAsync();
        await Expect(audit.ErrorSummary).ToContainTextAsync("開始日は 2025-04-01 や 令和7年4月1日 の形で入力してください");
        await Expect(audit.From).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertAccessibleAsync(page);
    }
}
