using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>Scans a page with axe for WCAG 2.2 AA (DESIGN.md §3 tags) and fails on any violation.</summary>
public static class Axe
{
    private static readonly AxeRunOptions Options = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    };

    /// <summary>
    /// Only a guard against a hang: axe on the import preview (3,058 table rows) takes tens of seconds
    /// when the 2 cores are shared with builds, so this is generous.
    /// </summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    public static async Task AssertAccessibleAsync(IPage page)
    {
        // axe.run waits on timers and promises of the page; in a context with JavaScript disabled
        // Chromium never runs them, so the evaluation would hang for ever (Playwright sets no timeout on it).
        if (BrowserFixture.IsScriptDisabled(page))
            throw new InvalidOperationException("axe needs JavaScript: scan in a context opened with javaScript: true.");
        AxeResult result;
        try
        {
            result = await page.RunAxe(Options).WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"axe did not finish within {Limit.TotalSeconds} s on {page.Url}");
        }
        var problems = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html + " → " + string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))))}").ToList();
        Assert.True(problems.Count == 0, $"axe found {problems.Count} violation(s) on {page.Url}:\n" + string.Join("\n", problems));
    }
}
