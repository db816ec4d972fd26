using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>The scanner itself: a clean result on the app's pages means something only if axe can fail.</summary>
public sealed class AxeTests(BrowserFixture browser)
{
    [Fact]
    public async Task Axe_reports_an_image_without_alternative_text_and_low_contrast()
    {
        await using var session = await browser.OpenAsync();
        await session.Page.SetContentAsync("<!DOCTYPE html><html lang=\"ja\"><head><title>t</title></head><body><main><h1>見出し</h1><img src=\"data:,\"><p><font color=\"#bbbbbb\">薄い文字</font></p></main></body></html>");

        var failure = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => Axe.AssertAccessibleAsync(session.Page));

        Assert.Contains("image-alt", failure.Message);
        Assert.Contains("color-contrast", failure.Message);
    }

    [Fact]
    public async Task Japanese_text_on_an_english_page_must_be_marked_as_japanese()
    {
        await using var session = await browser.OpenAsync();
        const string Head = "<!DOCTYPE html><html lang=\"en\"><head><title>t</title></head><body><main><h1>Procedures</h1>";

        await session.Page.SetContentAsync(Head + "<p>Office: 江東区役所</p><img src=\"data:,\" alt=\"窓口\" width=\"1\" height=\"1\"></main></body></html>");
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => Axe.AssertAccessibleAsync(session.Page));
        Assert.Contains("2 Japanese text(s)", failure.Message);
        Assert.Contains("江東区役所", failure.Message);

        await session.Page.SetContentAsync(Head + "<p>Office: <span lang=\"ja\">江東区役所</span></p><img src=\"data:,\" alt=\"窓口\" lang=\"ja\" width=\"1\" height=\"1\"></main></body></html>");
        await Axe.AssertAccessibleAsync(session.Page);
    }

    [Fact]
    public async Task Axe_refuses_a_page_without_javascript_at_once_instead_of_hanging()
    {
        await using var session = await browser.OpenAsync(javaScript: false);
        await session.Page.SetContentAsync("<!DOCTYPE html><html lang=\"ja\"><head><title>t</title></head><body><main><h1>見出し</h1></main></body></html>");

        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Axe.AssertAccessibleAsync(session.Page));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
