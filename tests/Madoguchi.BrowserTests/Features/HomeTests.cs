using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class HomeTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_home_page_is_accessible_in_japanese_english_and_easy_japanese()
    {
        await using var app = await AppServer.StartAsync();
        await app.LoadDemoAsync(); // offices and life events, so the cards are scanned too
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await page.GotoAsync(app.Url("/"));
        Assert.Equal("ja", await LanguageSelector.HtmlLangAsync(page));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("オンラインでできる手続");
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Level = 3 }).CountAsync() > 0, "the demo's offices are listed");
        // A life event opens with the keyboard and shows its procedures; axe scans it open.
        var lifeEvent = page.GetByRole(AriaRole.Group).First;
        await lifeEvent.Locator("summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(lifeEvent.GetByRole(AriaRole.Listitem).First).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await LanguageSelector.ChooseAsync(page, "English");
        Assert.Equal("en", await LanguageSelector.HtmlLangAsync(page));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Procedures you can do online");
        await Axe.AssertAccessibleAsync(page);

        await LanguageSelector.ChooseAsync(page, "やさしい日本語");
        Assert.Equal("ja", await LanguageSelector.HtmlLangAsync(page));
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).Locator("ruby").CountAsync() > 0, "やさしい日本語 gives kanji their readings");
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task The_language_switch_works_with_javascript_off()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync(javaScript: false);
        var page = session.Page;

        await page.GotoAsync(app.Url("/kpi"));
        await LanguageSelector.ChooseAsync(page, "English");

        Assert.Equal("en", await LanguageSelector.HtmlLangAsync(page));
        Assert.EndsWith("/kpi", page.Url); // back where the visitor was
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Progress of online procedures");
    }

    [Fact]
    public async Task The_not_found_page_is_accessible_and_leads_home()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await page.GotoAsync(app.Url("/error?status=404"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ページが見つかりません");
        await Axe.AssertAccessibleAsync(page);

        // Signed in (anonymous visitors are sent to sign in first by the fallback policy), a wrong address gives the same page.
        await SignInPage.SignInAsync(page, app, Madoguchi.Web.Features.Staff.Roles.Staff);
        var response = await page.GotoAsync(app.Url("/staff/no-such-page"));
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ページが見つかりません");
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "ホームへ戻る" }).ClickAsync();
        Assert.Equal(app.Url("/"), page.Url);
    }

    [Fact]
    public async Task The_skip_link_moves_focus_to_the_main_content_and_focus_is_visible()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.GotoAsync(app.Url("/"));

        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "本文へ移動" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeInViewportAsync(); // shown when focused, not left off-screen
        Assert.Equal("4px solid", await FocusRingAsync(page));

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Main)).ToBeFocusedAsync();

        // The next Tab continues from the main content, not from the top of the page.
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('main').contains(document.activeElement)"));
        Assert.Equal("4px solid", await FocusRingAsync(page));
    }

    [Fact]
    public async Task A_button_reached_by_keyboard_shows_the_focus_ring()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.GotoAsync(app.Url("/staff/signin"));

        await page.GetByLabel("パスワード").FocusAsync();
        await page.Keyboard.PressAsync("Tab");

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "サインイン", Exact = true })).ToBeFocusedAsync();
        Assert.Equal("4px solid", await FocusRingAsync(page));
    }

    /// <summary>Width and style of the focused element's outline, as the browser draws it.</summary>
    private static Task<string> FocusRingAsync(IPage page) => page.EvaluateAsync<string>(
        "() => { const s = getComputedStyle(document.activeElement); return s.outlineWidth + ' ' + s.outlineStyle; }");
}
