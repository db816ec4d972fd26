using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>WCAG 2.2.1: before the idle limit ends a member of staff's session, the page warns and lets them stay.</summary>
public sealed class StaffSessionTimeoutTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_member_of_staff_is_warned_before_the_idle_limit_and_stays_signed_in_with_one_button()
    {
        // A one-minute limit with 30 seconds' notice: the warning comes about 30 seconds after the page opens.
        await using var app = await AppServer.StartAsync(new Dictionary<string, string?>
        {
            ["Madoguchi:Sessions:IdleMinutes"] = "1",
            ["Madoguchi:Sessions:WarningSeconds"] = "30",
        });
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        await page.GotoAsync(app.Url("/staff/inventory"));
        var typed = page.GetByLabel("キーワード");
        await typed.FillAsync("住民票");

        var warning = page.GetByRole(AriaRole.Dialog, new() { Name = "まもなくサインアウトします" });
        await Expect(warning).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(warning).ToContainTextAsync("安全のためサインアウトします");
        await Axe.AssertAccessibleAsync(page);

        await warning.GetByRole(AriaRole.Button, new() { Name = "サインインを続ける" }).ClickAsync();

        await Expect(warning).ToBeHiddenAsync();
        // Still on the same page with what was typed, and the server counts the minute from now.
        await Expect(typed).ToHaveValueAsync("住民票");
        var left = await page.EvaluateAsync<int>("() => fetch('/staff/session').then(r => r.json()).then(s => s.idleSeconds)");
        Assert.InRange(left, 50, 60);
    }
}
