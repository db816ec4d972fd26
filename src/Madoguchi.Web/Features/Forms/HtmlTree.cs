using System.Net;
using System.Text;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// A small, forgiving HTML reader for checking pages Madoguchi renders itself: elements, attributes
/// and text, void elements, comments, and raw text in script/style/textarea. An end tag closes the
/// nearest open element of its name; a stray one is ignored, as browsers do.
/// </summary>
public sealed class HtmlElement
{
    private static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "textarea", "title" };

    public string Name { get; }
    public IReadOnlyDictionary<string, string> Attributes => _attributes;
    public HtmlElement? Parent { get; private set; }
    /// <summary>Child elements and text (strings, decoded), in document order.</summary>
    public IReadOnlyList<object> Children => _children;

    private readonly Dictionary<string, string> _attributes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<object> _children = [];

    private HtmlElement(string name) => Name = name.ToLowerInvariant();

    public string? Attr(string name) => _attributes.TryGetValue(name, out var v) ? v : null;

    public IEnumerable<HtmlElement> Elements => _children.OfType<HtmlElement>();

    public IEnumerable<HtmlElement> Descendants()
    {
        foreach (var child in Elements)
        {
            yield return child;
            foreach (var d in child.Descendants()) yield return d;
        }
    }

    public IEnumerable<HtmlElement> Ancestors()
    {
        for (var p = Parent; p is not null; p = p.Parent) yield return p;
    }

    /// <summary>The text inside, with white space collapsed; <paramref name="skip"/> leaves an element (and what is inside it) out.</summary>
    public string Text(Func<HtmlElement, bool>? skip = null)
    {
        var sb = new StringBuilder();
        void Walk(HtmlElement e)
        {
            foreach (var c in e._children)
            {
                if (c is string s) sb.Append(s);
                else if (c is HtmlElement child && (skip is null || !skip(child)))
                {
                    if (child.Name == "img") sb.Append(child.Attr("alt"));
                    Walk(child);
                }
            }
        }
        Walk(this);
        return string.Join(' ', sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Reads a document (or fragment) into a root element named "#document".</summary>
    public static HtmlElement Parse(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var root = new HtmlElement("#document");
        var current = root;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0)
            {
                current.AddText(html[i..]);
                break;
            }
            if (lt > i) current.AddText(html[i..lt]);
            if (string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
            {
                var end = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                i = end < 0 ? html.Length : end + 3;
                continue;
            }
            if (lt + 1 < html.Length && (html[lt + 1] == '!' || html[lt + 1] == '?'))
            {
                var end = html.IndexOf('>', lt);
                i = end < 0 ? html.Length : end + 1;
                continue;
            }
            var closing = lt + 1 < html.Length && html[lt + 1] == '/';
            var nameStart = closing ? lt + 2 : lt + 1;
            var n = nameStart;
            while (n < html.Length && (char.IsAsciiLetterOrDigit(html[n]) || html[n] == '-')) n++;
            if (n == nameStart || !char.IsAsciiLetter(html[nameStart]))
            {
                // "<" that opens no tag is text.
                current.AddText("<");
                i = lt + 1;
                continue;
            }
            var name = html[nameStart..n];
            var (attributes, after, selfClosing) = ReadAttributes(html, n);
            i = after;
            if (closing)
            {
                var open = current;
                while (open is not null && open != root && !open.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) open = open.Parent;
                if (open is not null && open != root) current = open.Parent!;
                continue;
            }
            var element = new HtmlElement(name) { Parent = current };
            foreach (var (k, v) in attributes) element._attributes.TryAdd(k, v);
            current._children.Add(element);
            if (selfClosing || Void.Contains(name)) continue;
            if (RawText.Contains(name))
            {
                var end = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                if (end < 0) end = html.Length;
                element.AddText(html[i..end]);
                var gt = html.IndexOf('>', end);
                i = gt < 0 ? html.Length : gt + 1;
                continue;
            }
            current = element;
        }
        return root;
    }

    private void AddText(string raw)
    {
        if (raw.Length > 0) _children.Add(WebUtility.HtmlDecode(raw));
    }

    private static (List<(string, string)> Attributes, int After, bool SelfClosing) ReadAttributes(string html, int i)
    {
        var list = new List<(string, string)>();
        while (i < html.Length)
        {
            while (i < html.Length && char.IsWhiteSpace(html[i])) i++;
            if (i >= html.Length) break;
            if (html[i] == '>') return (list, i + 1, false);
            if (html[i] == '/' && i + 1 < html.Length && html[i + 1] == '>') return (list, i + 2, true);
            var start = i;
            while (i < html.Length && !char.IsWhiteSpace(html[i]) && html[i] is not ('=' or '>') && !(html[i] == '/' && i + 1 < html.Length && html[i + 1] == '>')) i++;
            var name = html[start..i];
            if (name.Length == 0)
            {
                i++;
                continue;
            }
            while (i < html.Length && char.IsWhiteSpace(html[i])) i++;
            var value = "";
            if (i < html.Length && html[i] == '=')
            {
                i++;
                while (i < html.Length && char.IsWhiteSpace(html[i])) i++;
                if (i < html.Length && html[i] is '"' or '\'')
                {
                    var quote = html[i];
                    var end = html.IndexOf(quote, i + 1);
                    if (end < 0) end = html.Length;
                    value = html[(i + 1)..end];
                    i = Math.Min(end + 1, html.Length);
                }
                else
                {
                    var vs = i;
                    while (i < html.Length && !char.IsWhiteSpace(html[i]) && html[i] != '>') i++;
                    value = html[vs..i];
                }
            }
            list.Add((name, WebUtility.HtmlDecode(value)));
        }
        return (list, html.Length, false);
    }
}
