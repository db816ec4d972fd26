using System.Text.RegularExpressions;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// Accessibility rules (WCAG 2.2 AA, as DADS applies them) checked on the HTML a resident's browser
/// receives: every control labelled, choices and repeated items grouped in a fieldset with a legend,
/// one h1 and no skipped heading level, links that say where they go, unique ids, and error messages
/// in Japanese tied to their field. Colour contrast is not checked: the form format has no colours
/// (pages use the DADS stylesheet only), so an author cannot lower it.
/// </summary>
public static partial class RenderedPageCheck
{
    /// <summary>Link texts that do not say where a link goes (compared without case, spaces and 「」。.).</summary>
    public static readonly IReadOnlyList<string> GenericLinkTexts =
        ["こちら", "ここ", "こちらをクリック", "ここをクリック", "詳しくはこちら", "詳細はこちら", "リンク", "click here", "here", "more", "read more", "link"];

    private static readonly HashSet<string> Unlabelled = new(StringComparer.OrdinalIgnoreCase) { "hidden", "submit", "button", "reset", "image" };

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*\[\d+\]\.")]
    private static partial Regex GroupItemName();

    /// <summary>Problems of one rendered page, each a Japanese sentence that starts with <paramref name="where"/>.</summary>
    public static IReadOnlyList<string> Check(string html, string where)
    {
        var root = HtmlElement.Parse(html);
        var all = root.Descendants().ToList();
        var byId = new Dictionary<string, HtmlElement>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var e in all)
        {
            if (e.Attr("id") is not { Length: > 0 } id) continue;
            if (!byId.TryAdd(id, e)) problems.Add($"{where}: id '{id}' が2つ以上の要素にあります。ラベルやエラーの結び付きが崩れるので、id は1つの要素だけに付けてください。");
        }
        var labels = all.Where(e => e.Name == "label").ToList();

        foreach (var control in all.Where(IsControl))
        {
            if (!HasLabel(control, labels, byId))
            {
                problems.Add($"{where}: 入力欄 {Describe(control)} にラベルがありません。label 要素（for で id を指す）か aria-labelledby で項目名を結び付けてください。");
            }
        }

        // Radio buttons and several checkboxes of one name answer one question: its text is the legend.
        var choices = all.Where(e => e.Name == "input" && e.Attr("type") is { } t && (t.Equals("radio", StringComparison.OrdinalIgnoreCase) || t.Equals("checkbox", StringComparison.OrdinalIgnoreCase)))
            .GroupBy(e => e.Attr("name") ?? "");
        foreach (var group in choices)
        {
            var first = group.First();
            var isRadio = string.Equals(first.Attr("type"), "radio", StringComparison.OrdinalIgnoreCase);
            if ((isRadio || group.Count() > 1) && group.Any(e => Legend(e) is null))
            {
                problems.Add($"{where}: 選択肢 name='{group.Key}' が、見出し（legend）のある fieldset で囲まれていません。設問の文言を legend にした fieldset で選択肢をまとめてください。");
            }
        }
        foreach (var item in all.Where(e => IsControl(e) && e.Attr("name") is { } n && GroupItemName().IsMatch(n)).GroupBy(e => GroupItemName().Match(e.Attr("name")!).Value))
        {
            if (item.Any(e => Legend(e) is null))
            {
                problems.Add($"{where}: 繰り返しの入力欄 '{item.Key.TrimEnd('.')}' が、見出し（legend）のある fieldset で囲まれていません。1件ごとに「家族 1」のような legend を持つ fieldset にしてください。");
            }
        }

        var headings = all.Where(e => e.Name.Length == 2 && e.Name[0] == 'h' && e.Name[1] is >= '1' and <= '6').ToList();
        var h1 = headings.Count(h => h.Name == "h1");
        if (h1 != 1) problems.Add($"{where}: 見出し h1 が{h1}個あります。ページの題名として h1 をちょうど1つにしてください。");
        var previous = 0;
        foreach (var h in headings)
        {
            var level = h.Name[1] - '0';
            if (h.Text().Length == 0) problems.Add($"{where}: 見出し {h.Name} に文字がありません。");
            if (previous > 0 && level > previous + 1)
            {
                problems.Add($"{where}: 見出しのレベルが h{previous} から {h.Name}「{h.Text()}」に飛んでいます。h{previous + 1} を使い、レベルを飛ばさないでください。");
            }
            previous = level;
        }

        foreach (var a in all.Where(e => e.Name == "a" && e.Attr("href") is not null))
        {
            var name = AccessibleName(a, byId);
            var plain = Plain(name);
            if (plain.Length == 0) problems.Add($"{where}: リンク（{a.Attr("href")}）に文字がありません。行き先が分かる文言を付けてください。");
            else if (GenericLinkTexts.Any(g => Plain(g) == plain)) problems.Add($"{where}: リンクの文言「{name}」では行き先が分かりません（{a.Attr("href")}）。「申請の手引き（PDF）」のように行き先を書いてください。");
        }
        return problems;
    }

    /// <summary>
    /// Problems of a page shown after a post with wrong answers: each expected field (answer path and
    /// the element id it is rendered with) must be marked invalid, described by an error message in
    /// Japanese, and listed in the error summary.
    /// </summary>
    public static IReadOnlyList<string> CheckErrors(string html, string where, IReadOnlyList<(string Path, string Id)> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var root = HtmlElement.Parse(html);
        var all = root.Descendants().ToList();
        var byId = new Dictionary<string, HtmlElement>(StringComparer.Ordinal);
        foreach (var e in all) if (e.Attr("id") is { Length: > 0 } id) byId.TryAdd(id, e);
        var summary = all.Where(e => e.Name == "a" && e.Attr("href") is { } h && h.StartsWith('#')).ToList();
        var problems = new List<string>();
        foreach (var (path, id) in expected)
        {
            // The field itself, or the parts of a name or bank account (id-family …).
            var elements = all.Where(e => e.Attr("id") is { } x && (x == id || x.StartsWith(id + "-", StringComparison.Ordinal))).ToList();
            var messages = elements.SelectMany(e => (e.Attr("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(d => byId.GetValueOrDefault(d)).Where(d => d is not null).Select(d => d!.Text()).Where(t => t.StartsWith('＊')).ToList();
            var listed = summary.Where(a => a.Attr("href") is { } h && (h == "#" + id || h.StartsWith("#" + id + "-", StringComparison.Ordinal))).Select(a => a.Text()).ToList();
            if (messages.Count == 0 || listed.Count == 0)
            {
                problems.Add($"{where}: 項目 '{path}' に誤った回答をしても、項目に結び付いた誤りのメッセージ{(listed.Count == 0 ? "とページ上部の一覧への表示" : "")}がありません。");
            }
            else if (!messages.Concat(listed).All(m => PublishChecks.IsJapanese(m.TrimStart('＊'))))
            {
                problems.Add($"{where}: 項目 '{path}' の誤りのメッセージ「{messages.Concat(listed).First(m => !PublishChecks.IsJapanese(m.TrimStart('＊')))}」が日本語ではありません。error.ja に日本語のメッセージを書いてください。");
            }
        }
        return problems;
    }

    private static bool IsControl(HtmlElement e) => e.Name switch
    {
        "select" or "textarea" => true,
        "input" => !Unlabelled.Contains(e.Attr("type") ?? "text"),
        _ => false,
    };

    private static bool HasLabel(HtmlElement control, List<HtmlElement> labels, Dictionary<string, HtmlElement> byId)
    {
        if (control.Attr("aria-labelledby") is { } ids
            && ids.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(i => byId.TryGetValue(i, out var l) && l.Text().Length > 0))
        {
            return true;
        }
        if (control.Attr("id") is { Length: > 0 } id && labels.Any(l => l.Attr("for") == id && l.Text(IsControl).Length > 0)) return true;
        // A label around the control (radio and checkbox options) names it by its own text.
        return control.Ancestors().FirstOrDefault(a => a.Name == "label") is { } wrapping && wrapping.Attr("for") is null && wrapping.Text(IsControl).Length > 0;
    }

    private static HtmlElement? Legend(HtmlElement control)
    {
        var fieldset = control.Ancestors().FirstOrDefault(a => a.Name == "fieldset");
        var legend = fieldset?.Elements.FirstOrDefault();
        return legend is { Name: "legend" } && legend.Text().Length > 0 ? legend : null;
    }

    private static string AccessibleName(HtmlElement a, Dictionary<string, HtmlElement> byId)
    {
        if (a.Attr("aria-labelledby") is { } ids)
        {
            return string.Join(' ', ids.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(i => byId.GetValueOrDefault(i)?.Text() ?? ""));
        }
        return a.Attr("aria-label") is { Length: > 0 } label ? label : a.Text();
    }

    private static string Plain(string text) => new([.. text.ToLowerInvariant().Where(c => !char.IsWhiteSpace(c) && c is not ('「' or '」' or '。' or '.' or '!' or '！' or '>' or '＞' or '→'))]);

    private static string Describe(HtmlElement control)
        => $"<{control.Name}{(control.Attr("name") is { } n ? $" name='{n}'" : "")}{(control.Attr("id") is { } i ? $" id='{i}'" : "")}>";
}
