using Madoguchi.BrowserTests.Infrastructure;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Pages;

/// <summary>A page of a resident's form (/forms/{slug}/{step}), driven in Japanese.</summary>
public sealed class FormFillPage(IPage page)
{
    public ILocator Next => page.GetByRole(AriaRole.Button, new() { Name = "次へ進む", Exact = true }).Last;
    public ILocator Later => page.GetByRole(AriaRole.Button, new() { Name = "保存して後で続ける" });
    public ILocator ErrorSummary => page.Locator(".dads-error-summary");
    public ILocator AutosaveStatus => page.GetByTestId("autosave-status");
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator GroupItems => page.GetByTestId("group-item");

    /// <summary>An input by the answer path it posts (<c>applicantName.familyKana</c>, <c>family[1].memberBirthDate</c>).</summary>
    public ILocator Field(string path) => page.Locator($"[name=\"{path}\"]");

    public async Task FillAsync(IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (path, value) in fields) await Field(path).FillAsync(value);
    }

    /// <summary>Presses "次へ進む" and waits for the page whose first heading ends with <paramref name="nextTitle"/>.</summary>
    public async Task NextAsync(string nextTitle)
    {
        await Next.ClickAsync();
        await Assertions.Expect(Heading).ToContainTextAsync(nextTitle);
    }

    public async Task CheckAccessibleAsync() => await Axe.AssertAccessibleAsync(page);
}
