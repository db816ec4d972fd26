using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// The narrowest phone WCAG 1.4.10 (Reflow) asks for, 320 CSS px: the check page and the status page
/// read top to bottom without sideways scrolling, with the answers given the screen's width.
/// </summary>
public sealed class NarrowScreenTests(BrowserFixture browser)
{
    private static async Task AssertReflowsAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"the page scrolls sideways: {widths[0]} px of content in {widths[1]} px");
        // Every answer has most of the screen, not the ~60 px a two-column list left it.
        var narrowest = await page.EvaluateAsync<double>("() => Math.min(...[...document.querySelectorAll('.dads-dl dd')].map(d => d.getBoundingClientRect().width))");
        Assert.True(narrowest >= 240, $"an answer is {narrowest} px wide");
    }

    [Fact]
    public async Task At_320_pixels_the_check_and_status_pages_reflow_and_a_bank_account_is_accepted()
    {
        await using var app = await AppServer.StartAsync();
        await app.LoadDemoAsync();
        await using var session = await browser.OpenAsync(width: 320, height: 640);
        var page = session.Page;
        var form = new FormFillPage(page);

        await page.GotoAsync(app.Url("/forms/riyousho-todoke"));
        await page.GetByTestId("start").ClickAsync();
        await page.GetByLabel("個人", new() { Exact = true }).CheckAsync();
        await form.Field("operatorName").FillAsync("江東 理容");
        await form.Field("phone").FillAsync("03-3647-9111");
        await form.NextAsync("理容所");
        await form.Field("shopName").FillAsync("バーバー東陽");
        await form.Field("chairs").FillAsync("3");
        // A long unbroken value (an address of a web page) must wrap, not widen the page.
        await form.Field("notes").FillAsync("https://example.jp/barber/toyo/information/opening-hours-and-holidays-of-the-shop-2026");
        await form.Field("refundAccount.bank").FillAsync("0001");
        await form.Field("refundAccount.branch").FillAsync("001");
        await form.Field("refundAccount.type").SelectOptionAsync(new SelectOptionValue { Label = "普通" });
        await form.Field("refundAccount.number").FillAsync("1234567");
        await form.Field("refundAccount.holder").FillAsync("こうとう りよう");
        await form.Field("consent").CheckAsync();
        await form.NextAsync("入力内容の確認");

        await Expect(page.Locator("main")).ToContainTextAsync("0001 001 普通 1234567 コウトウ　リヨウ");
        await AssertReflowsAsync(page);
        await Axe.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "この内容で申請する" }).ClickAsync();
        await Expect(page.GetByTestId("receipt")).Not.ToBeEmptyAsync();
        await AssertReflowsAsync(page);
        await Axe.AssertAccessibleAsync(page);
    }
}
