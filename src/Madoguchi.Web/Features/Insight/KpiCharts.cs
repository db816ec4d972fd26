using System.Globalization;
using System.Net;
using System.Text;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Features.Insight;

/// <summary>
/// Charts drawn as SVG on the server: no JavaScript, no inline style (CSP), colours from site.css.
/// Each is role="img" named by its title and described by a desc that lists every value; the
/// table beside it is the accessible source. Values are written on the bars, never colour alone.
/// </summary>
public static class KpiCharts
{
    public sealed record Bar(string Label, long Part, long Whole, decimal? Percent);

    private const int Width = 640;

    /// <summary>Horizontal bars of a percentage (0–100) on a full-width track, the value and counts beside each.</summary>
    /// <param name="labelLang">
    /// The labels' language when it differs from the page's (Japanese-only municipal names on the English
    /// page, <c>Lang.DataLang</c>): set on each label and on the description that lists them.
    /// </param>
    /// <param name="english">The page is in English: "12.3% (5/40); …" instead of "12.3%（5/40）、…".</param>
    public static IHtmlContent PercentBars(string id, string title, IReadOnlyList<Bar> bars, string? labelLang = null, bool english = false)
    {
        var lang = labelLang is null ? "" : $" lang=\"{E(labelLang)}\"";
        const int labelWidth = 210, barWidth = 230, row = 34, barHeight = 20, top = 8;
        var height = top * 2 + Math.Max(1, bars.Count) * row;
        string Counts(Bar b) => english ? $" ({N(b.Part)}/{N(b.Whole)})" : $"（{N(b.Part)}/{N(b.Whole)}）";
        // Labels in Japanese keep Japanese punctuation: the description is then read as Japanese (labelLang).
        var separator = english && labelLang is null ? "; " : "、";
        var desc = string.Join(separator, bars.Select(b => $"{b.Label} {Percent.Format(b.Percent)}{(labelLang is null ? Counts(b) : $"（{N(b.Part)}/{N(b.Whole)}）")}"));
        var sb = Open(id, title, desc, height, lang);
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = top + i * row;
            var filled = b.Percent is { } p ? (double)Math.Clamp(p, 0m, 100m) / 100 * barWidth : 0;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 15}\" text-anchor=\"end\" class=\"chart-label\"{lang}>{E(b.Label)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar-planned\" x=\"{labelWidth}\" y=\"{y}\" width=\"{barWidth}\" height=\"{barHeight}\"/>");
            if (filled > 0) sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar-done\" x=\"{labelWidth}\" y=\"{y}\" width=\"{filled:0.#}\" height=\"{barHeight}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + barWidth + 8}\" y=\"{y + 15}\" class=\"chart-value\">{E(Percent.Format(b.Percent))}{Counts(b)}</text>");
        }
        return Close(sb);
    }

    /// <summary>A line of counts over months, with the first and last values written at their points.</summary>
    public static IHtmlContent Line(string id, string title, IReadOnlyList<(string Label, long Value)> points, bool english = false)
    {
        const int height = 260, left = 56, right = 24, top = 24, bottom = 44;
        var desc = string.Join(english ? "; " : "、", points.Select(p => $"{p.Label} {N(p.Value)}"));
        var sb = Open(id, title, desc, height);
        var max = NiceCeiling(points.Count == 0 ? 0 : points.Max(p => p.Value));
        double plotW = Width - left - right, plotH = height - top - bottom;
        double X(int i) => left + (points.Count <= 1 ? plotW / 2 : plotW * i / (points.Count - 1));
        double Y(long v) => top + plotH - plotH * v / max;

        foreach (var tick in new[] { 0, max / 2, max })
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{left}\" x2=\"{Width - right}\" y1=\"{Y(tick):0.#}\" y2=\"{Y(tick):0.#}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Y(tick) + 5:0.#}\" text-anchor=\"end\" class=\"chart-label\">{N(tick)}</text>");
        }
        // A label every 6 months keeps 24 months readable on A4 and on a phone.
        var step = Math.Max(1, (points.Count + 3) / 4);
        for (var i = 0; i < points.Count; i += step)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{height - 16}\" text-anchor=\"middle\" class=\"chart-label\">{E(points[i].Label)}</text>");
        }
        if (points.Count > 0)
        {
            sb.Append("<polyline class=\"line\" points=\"");
            sb.Append(string.Join(' ', points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(p.Value):0.#}"))));
            sb.Append("\"/>");
            for (var i = 0; i < points.Count; i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"dot\" cx=\"{X(i):0.#}\" cy=\"{Y(points[i].Value):0.#}\" r=\"3.5\"/>");
            }
            foreach (var i in points.Count == 1 ? [0] : new[] { 0, points.Count - 1 })
            {
                var anchor = i == 0 && points.Count > 1 ? "start" : "end";
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{Y(points[i].Value) - 10:0.#}\" text-anchor=\"{anchor}\" class=\"chart-value\">{N(points[i].Value)}</text>");
            }
        }
        return Close(sb);
    }

    private static StringBuilder Open(string id, string title, string desc, int height, string descLang = "")
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{E(title)}</title><desc id=\"{id}-desc\"{descLang}>{E(desc)}</desc>");
        return sb;
    }

    private static HtmlString Close(StringBuilder sb) => new(sb.Append("</svg>").ToString());

    private static long NiceCeiling(long v)
    {
        if (v <= 0) return 10;
        var magnitude = (long)Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 2, 5, 10 })
        {
            if (m * magnitude >= v) return m * magnitude;
        }
        return 10 * magnitude;
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
