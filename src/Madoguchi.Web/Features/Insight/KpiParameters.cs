using System.Globalization;
using System.Text;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;

namespace Madoguchi.Web.Features.Insight;

/// <summary>
/// The query parameters of every KPI (API, CLI and dashboard), parsed and checked in one place so
/// that the same input gives the same answer — or the same error — everywhere.
/// </summary>
public sealed record KpiParameters(
    DateOnly? AsOf,
    RoundingMode? Rounding,
    int Months,
    int? FiscalYear,
    int Offset,
    int Limit)
{
    public const int DefaultMonths = 24;
    public const int MaxMonths = 240;
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Parses raw strings; on any error returns null and fills <paramref name="errors"/>.</summary>
    public static KpiParameters? Parse(
        string? asOf, string? rounding, List<KpiError> errors,
        string? months = null, string? fiscalYear = null, string? cursor = null, string? limit = null)
    {
        var date = ParseAsOf(asOf, errors);
        RoundingMode? mode = null;
        if (!string.IsNullOrEmpty(rounding))
        {
            mode = Percent.ParseName(rounding);
            if (mode is null) errors.Add(new("rounding", "invalid_rounding", $"丸め方 '{rounding}' は使えません。half-up（四捨五入）か truncate（切り捨て）を指定してください。"));
        }
        var m = ParseInt(months, "months", 1, MaxMonths, DefaultMonths, "invalid_months", "月数", errors);
        int? fy = null;
        if (!string.IsNullOrEmpty(fiscalYear)) fy = ParseInt(fiscalYear, "fiscalYear", 1900, 2200, 0, "invalid_fiscal_year", "年度（西暦で年度が始まる年、例: 2024）", errors);
        var l = ParseInt(limit, "limit", 1, MaxLimit, DefaultLimit, "invalid_limit", "件数", errors);
        var offset = 0;
        if (!string.IsNullOrEmpty(cursor))
        {
            var decoded = DecodeCursor(cursor);
            if (decoded is null) errors.Add(new("cursor", "invalid_cursor", "cursor が正しくありません。前の応答の nextCursor をそのまま指定してください。"));
            else offset = decoded.Value;
        }
        return errors.Count > 0 ? null : new KpiParameters(date, mode, m, fy, offset, l);
    }

    /// <summary>"2025-03-31", or "2025-03" meaning the 1st of that month; null or empty means today.</summary>
    public static DateOnly? ParseAsOf(string? value, List<KpiError> errors)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var v = value.Trim();
        if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        if (DateOnly.TryParseExact(v, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)) return month;
        errors.Add(new("asOf", "invalid_date", $"基準日 '{value}' は日付として読めません。2025-03-31 のように年-月-日で（月だけなら 2025-03 で、その月の1日）指定してください。"));
        return null;
    }

    private static int ParseInt(string? value, string field, int min, int max, int fallback, string code, string what, List<KpiError> errors)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
        errors.Add(new(field, code, $"{what} '{value}' は使えません。{min}〜{max} の整数を指定してください。"));
        return fallback;
    }

    // The cursor is opaque to clients: a versioned, base64url-encoded position in a stable order.
    public static string EncodeCursor(int offset)
        => Convert.ToBase64String(Encoding.ASCII.GetBytes("o1:" + offset.ToString(CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static int? DecodeCursor(string cursor)
    {
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(b64));
            return text.StartsWith("o1:", StringComparison.Ordinal)
                   && int.TryParse(text.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
