using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Features.Queue.Statistics;

/// <summary>
/// Bar charts drawn as SVG on the server (no JavaScript, no inline style: CSP), in the KPI charts'
/// classes and DADS colours from site.css. Each is role="img", named by its title and described by a
/// desc listing every value; the table next to it holds the same numbers.
/// </summary>
public static class StatisticsChart
{
    public sealed record Bar(string Label, string ShortLabel, decimal? Value);

    private const int Width = 640;

    /// <summary>Vertical bars over time (days, hours): a label every few bars, values written when they fit.</summary>
    public static IHtmlContent Columns(string id, string title, string unit, IReadOnlyList<Bar> bars)
    {
        const int height = 260, left = 56, right = 16, top = 28, bottom = 44;
        var sb = Open(id, title, Desc(bars, unit), height);
        var max = NiceCeiling(bars.Count == 0 ? 0 : bars.Max(b => b.Value ?? 0));
        double plotW = Width - left - right, plotH = height - top - bottom;
        double Y(decimal v) => top + plotH - plotH * (double)(v / max);
        foreach (var tick in new[] { 0, max / 2, max })
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{left}\" x2=\"{Width - right}\" y1=\"{Y(tick):0.#}\" y2=\"{Y(tick):0.#}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Y(tick) + 5:0.#}\" text-anchor=\"end\" class=\"chart-label\">{Number(tick)}</text>");
        }
        if (bars.Count > 0)
        {
            var slot = plotW / bars.Count;
            var barW = Math.Max(1, slot * 0.7);
            // Labels of a year of days would overlap: about 12 across the axis at most.
            var labelEvery = Math.Max(1, (int)Math.Ceiling(bars.Count / 12.0));
            var writeValues = bars.Count <= 16;
            for (var i = 0; i < bars.Count; i++)
            {
                var b = bars[i];
                var x = left + slot * i + (slot - barW) / 2;
                var v = b.Value ?? 0;
                if (v > 0) sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar-done\" x=\"{x:0.##}\" y=\"{Y(v):0.#}\" width=\"{barW:0.##}\" height=\"{Y(0) - Y(v):0.#}\"/>");
                if (writeValues && b.Value is { } value)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + barW / 2:0.#}\" y=\"{Y(v) - 6:0.#}\" text-anchor=\"middle\" class=\"chart-value\">{Number(value)}</text>");
                }
                if (i % labelEvery == 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + barW / 2:0.#}\" y=\"{height - 20}\" text-anchor=\"middle\" class=\"chart-label\">{E(b.ShortLabel)}</text>");
                }
            }
        }
        return Close(sb);
    }

    /// <summary>Horizontal bars for named groups (services, steps), the value written after each bar.</summary>
    public static IHtmlContent Rows(string id, string title, string unit, IReadOnlyList<Bar> bars)
    {
        const int labelWidth = 230, barWidth = 300, row = 30, barHeight = 18, top = 8;
        var height = top * 2 + Math.Max(1, bars.Count) * row;
        var sb = Open(id, title, Desc(bars, unit), height);
        var max = NiceCeiling(bars.Count == 0 ? 0 : bars.Max(b => b.Value ?? 0));
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = top + i * row;
            var w = (double)((b.Value ?? 0) / max) * barWidth;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 14}\" text-anchor=\"end\" class=\"chart-label\">{E(Shorten(b.ShortLabel))}</text>");
            if (w > 0) sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar-done\" x=\"{labelWidth}\" y=\"{y}\" width=\"{w:0.#}\" height=\"{barHeight}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + w + 8:0.#}\" y=\"{y + 14}\" class=\"chart-value\">{(b.Value is { } v ? Number(v) : "—")}</text>");
        }
        return Close(sb);
    }

    private static string Desc(IReadOnlyList<Bar> bars, string unit)
        => bars.Count == 0 ? "データがありません。" : string.Join("、", bars.Select(b => $"{b.Label} {(b.Value is { } v ? Number(v) + unit : "値なし")}"));

    private static StringBuilder Open(string id, string title, string desc, int height)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{E(title)}</title><desc id=\"{id}-desc\">{E(desc)}</desc>");
        return sb;
    }

    private static HtmlString Close(StringBuilder sb) => new(sb.Append("</svg>").ToString());

    private static string Shorten(string s) => s.Length <= 16 ? s : s[..15] + "…";

    private static decimal NiceCeiling(decimal v)
    {
        if (v <= 0) return 10;
        var magnitude = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)v)));
        foreach (var m in new[] { 1m, 2m, 5m, 10m })
        {
            if (m * magnitude >= v) return m * magnitude;
        }
        return 10 * magnitude;
    }

    private static string Number(decimal v) => v == decimal.Truncate(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("0.0", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
