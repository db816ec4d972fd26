using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class InsightDashboardTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_dashboard_is_accessible_in_japanese_english_and_easy_japanese()
    {
        await using var app = await AppServer.StartAsync();
        await app.LoadDemoAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var dashboard = new DashboardPage(page, app);

        await dashboard.GotoAsync("?asOf=2025-03-31");
        await Expect(dashboard.Headline).ToContainTextAsync("12.1%");
        await Expect(page.GetByRole(AriaRole.Img)).ToHaveCountAsync(4); // four charts, each with a name
        await Axe.AssertAccessibleAsync(page);

        await LanguageSelector.ChooseAsync(page, "English");
        Assert.Equal("en", await LanguageSelector.HtmlLangAsync(page));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Progress by plan year" })).ToContainTextAsync("FY2023 or earlier");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Progress by plan year" })).Not.ToContainTextAsync("令和");
        Assert.Contains("asOf=2025-03-31", page.Url); // the chosen date survives the language switch
        await Axe.AssertAccessibleAsync(page);

        await LanguageSelector.ChooseAsync(page, "やさしい日本語");
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).Locator("ruby").CountAsync() > 0);
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task A_bad_as_of_date_is_explained_in_an_accessible_error_summary()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var dashboard = new DashboardPage(page, app);
        await dashboard.GotoAsync();

        await dashboard.ShowAsOfAsync("2025-13-01");

        await Expect(dashboard.ErrorSummary).ToContainTextAsync("2025-13-01");
        await Expect(dashboard.AsOf).ToHaveAttributeAsync("aria-invalid", "true");
        await dashboard.ErrorSummary.GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(dashboard.AsOf).ToBeFocusedAsync();
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task On_a_phone_the_dashboard_fits_the_screen_and_is_accessible()
    {
        await using var app = await AppServer.StartAsync();
        await app.LoadDemoAsync();
        await using var session = await browser.OpenAsync(width: 375, height: 667);
        var page = session.Page;
        var dashboard = new DashboardPage(page, app);

        await dashboard.GotoAsync("?asOf=2025-03-31");

        await Expect(dashboard.Headline).ToContainTextAsync("12.1%");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px");
        await Axe.AssertAccessibleAsync(page);
    }
}
