using System.Net;
using System.Text;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// Ruby markup of やさしい日本語 texts in form definitions: <c>{漢字|かんじ}</c> becomes
/// <c>&lt;ruby&gt;漢字&lt;rt&gt;かんじ&lt;/rt&gt;&lt;/ruby&gt;</c>. Everything else is text and is
/// HTML-encoded, so a form author can never inject markup.
/// </summary>
public static class EasyText
{
    /// <summary>Null when the markup is well formed, else a Japanese message saying what to fix.</summary>
    public static string? Check(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '}' || c == '|') return $"{i + 1}文字目の「{c}」はルビの外では使えません。ルビは {{漢字|かんじ}} の形で書いてください。";
            if (c != '{')
            {
                i++;
                continue;
            }
            var close = text.IndexOf('}', i + 1);
            if (close < 0) return $"{i + 1}文字目の「{{」が閉じていません。ルビは {{漢字|かんじ}} の形で書いてください。";
            var inner = text[(i + 1)..close];
            var bar = inner.IndexOf('|', StringComparison.Ordinal);
            if (inner.Contains('{', StringComparison.Ordinal) || bar <= 0 || bar == inner.Length - 1 || inner.IndexOf('|', bar + 1) >= 0)
            {
                return $"ルビ「{{{inner}}}」の形が正しくありません。{{漢字|かんじ}} のように、縦線の前に漢字、後に読みを書いてください。";
            }
            i = close + 1;
        }
        return null;
    }

    /// <summary>HTML with ruby elements; call only on text that passed <see cref="Check"/> (the parser guarantees it).</summary>
    public static string ToHtml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var html = new StringBuilder(text.Length + 32);
        Walk(text, plain => html.Append(WebUtility.HtmlEncode(plain)),
            (b, r) => html.Append("<ruby>").Append(WebUtility.HtmlEncode(b)).Append("<rt>").Append(WebUtility.HtmlEncode(r)).Append("</rt></ruby>"));
        return html.ToString();
    }

    /// <summary>The text without readings, for page titles and attributes.</summary>
    public static string ToPlain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plain = new StringBuilder(text.Length);
        Walk(text, s => plain.Append(s), (b, _) => plain.Append(b));
        return plain.ToString();
    }

    private static void Walk(string text, Action<string> onText, Action<string, string> onRuby)
    {
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('{', i);
            var close = open < 0 ? -1 : text.IndexOf('}', open);
            var bar = close < 0 ? -1 : text.IndexOf('|', open, close - open);
            if (open < 0 || close < 0 || bar < 0)
            {
                // Malformed markup (not from a parsed form) stays visible as text rather than disappearing.
                onText(text[i..]);
                return;
            }
            if (open > i) onText(text[i..open]);
            onRuby(text[(open + 1)..bar], text[(bar + 1)..close]);
            i = close + 1;
        }
    }
}
