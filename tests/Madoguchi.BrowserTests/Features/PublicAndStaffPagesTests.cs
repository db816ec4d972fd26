using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Features;

public sealed class PublicAndStaffPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_home_page_switches_language_without_javascript_and_stays_accessible()
    {
        await using var app = await AppServer.StartAsync();
        await using var context = await browser.Browser.NewContextAsync(new() { JavaScriptEnabled = false, Locale = "ja-JP" });
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.BaseUrl + "/");
        Assert.Equal("ja", await page.GetAttributeAsync("html", "lang"));
        await Axe.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("Procedures you can do online", await page.InnerTextAsync("h1"));

        await page.GetByRole(AriaRole.Link, new() { Name = "やさしい日本語" }).ClickAsync();
        Assert.Equal(1, await page.Locator("h1 ruby").CountAsync() > 0 ? 1 : 0);
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Sign_in_errors_are_summarised_and_linked_to_their_fields()
    {
        await using var app = await AppServer.StartAsync();
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/staff/signin");
        await Axe.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "サインイン" }).ClickAsync();

        var summary = page.Locator(".dads-error-summary");
        Assert.Contains("メールアドレスを入力してください", await summary.InnerTextAsync());
        Assert.Equal("true", await page.GetAttributeAsync("#Input_Email", "aria-invalid"));
        Assert.Equal("Input_Email-error", await page.GetAttributeAsync("#Input_Email", "aria-describedby"));
        await Axe.AssertAccessibleAsync(page);
        await page.CloseAsync();
    }
}
