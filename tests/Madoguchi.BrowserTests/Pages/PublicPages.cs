using Madoguchi.BrowserTests.Infrastructure;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Pages;

/// <summary>The language selector in the public header (links named in their own language).</summary>
public static class LanguageSelector
{
    public static async Task ChooseAsync(IPage page, string language)
        => await page.GetByRole(AriaRole.Link, new() { Name = language, Exact = true }).ClickAsync();

    public static async Task<string?> HtmlLangAsync(IPage page) => await page.Locator("html").GetAttributeAsync("lang");
}

/// <summary>/kpi: the headline rate, the form and one table per view.</summary>
public sealed class DashboardPage(IPage page, AppServer app)
{
    // Names in Japanese: the form is driven in the default language.
    public ILocator AsOf => page.GetByRole(AriaRole.Textbox, new() { Name = "基準日" });
    public ILocator ShowButton => page.GetByRole(AriaRole.Button, new() { Name = "表示する" });
    public ILocator Headline => page.GetByRole(AriaRole.Region, new() { Name = "オンライン化率", Exact = true });
    public ILocator ErrorSummary => page.GetByRole(AriaRole.Alert);

    public async Task GotoAsync(string query = "") => await page.GotoAsync(app.Url("/kpi" + query));

    public ILocator Table(string caption) => page.GetByRole(AriaRole.Table, new() { Name = caption });

    /// <summary>The cells of the row whose header is <paramref name="rowHeader"/>, as the user reads them.</summary>
    public async Task<IReadOnlyList<string>> RowAsync(string caption, string rowHeader)
    {
        var row = Table(caption).GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = rowHeader, Exact = true }) });
        return [.. (await row.Locator("th, td").AllInnerTextsAsync()).Select(t => t.Trim())];
    }

    public async Task ShowAsOfAsync(string asOf)
    {
        await AsOf.FillAsync(asOf);
        await ShowButton.ClickAsync();
    }
}
