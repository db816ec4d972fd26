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

    /// <summary>
    /// WCAG 3.1.2 (language of parts), which axe does not check: on an English page, a Japanese name
    /// or an untranslated label must sit in an element marked lang="ja", or a screen reader reads it
    /// with an English voice. Every text node and every read-aloud attribute in Japanese script
    /// (kana, kanji, half-width kana) is checked against its nearest lang; hidden parts too, since a
    /// details element or a script can show them. Latin text on a Japanese page is not flagged:
    /// names and abbreviations such as CSV are part of Japanese text.
    /// </summary>
    private const string UnmarkedJapanese = """
        () => {
          const japanese = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]/;
          const inJapanese = el => /^ja(-|$)/i.test(el?.closest('[lang]')?.getAttribute('lang') ?? '');
          const found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!el || el.closest('script, style, template') || !japanese.test(n.data) || inJapanese(el)) continue;
            found.push(`<${el.localName}> ${n.data.trim().slice(0, 40)}`);
          }
          for (const el of document.body.querySelectorAll('[alt], [aria-label], [title], [placeholder]')) {
            for (const name of ['alt', 'aria-label', 'title', 'placeholder']) {
              const value = el.getAttribute(name);
              if (value && japanese.test(value) && !inJapanese(el)) found.push(`<${el.localName} ${name}> ${value.slice(0, 40)}`);
            }
          }
          return found;
        }
        """;

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
        var unmarked = await page.EvaluateAsync<string[]>(UnmarkedJapanese);
        if (unmarked.Length > 0)
        {
            problems.Add($"language of parts (WCAG 3.1.2): {unmarked.Length} Japanese text(s) read in another language — {string.Join(" | ", unmarked.Take(10))}");
        }
        Assert.True(problems.Count == 0, $"axe found {problems.Count} violation(s) on {page.Url}:\n" + string.Join("\n", problems));
    }
}
