using System.Globalization;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Web.Shared;

/// <summary>
/// Percentages with one decimal from integer counts (DESIGN.md §3): integer arithmetic only, so
/// 56.25 gives 56.3 half-up (Math.Round would give 56.2) and 32,268/84,037 gives 38.3 truncated.
/// </summary>
public static class Percent
{
    /// <summary>part ÷ whole × 100 with one decimal; null when whole is 0 (a rate of nothing is not 0%).</summary>
    public static decimal? Of(long part, long whole, RoundingMode rounding)
    {
        if (whole == 0) return null;
        // Tenths of a percent = part × 1000 ÷ whole; Int128 so that no long pair can overflow.
        var numerator = (Int128)part * 1000;
        Int128 denominator = whole;
        var negative = numerator != 0 && (numerator < 0) != (denominator < 0);
        numerator = Int128.Abs(numerator);
        denominator = Int128.Abs(denominator);
        var tenths = rounding == RoundingMode.Truncate
            ? numerator / denominator
            : (2 * numerator + denominator) / (2 * denominator); // half away from zero: 四捨五入
        var bits = decimal.GetBits((decimal)tenths);
        // Scale 1 keeps the decimal: 100 % serialises as 100.0, like the audit's tables.
        return new decimal(bits[0], bits[1], bits[2], negative && tenths != 0, 1);
    }

    /// <summary>"12.1%" or "—" for null.</summary>
    public static string Format(decimal? value)
        => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    /// <summary>"12.1%（231/1,906）": the raw counts always stand next to the rate.</summary>
    public static string WithCounts(long part, long whole, RoundingMode rounding)
        => $"{Format(Of(part, whole, rounding))}（{part.ToString("N0", CultureInfo.InvariantCulture)}/{whole.ToString("N0", CultureInfo.InvariantCulture)}）";

    public static string Name(RoundingMode rounding) => rounding == RoundingMode.Truncate ? "truncate" : "half-up";

    /// <summary>Parses "half-up" or "truncate"; null for anything else.</summary>
    public static RoundingMode? ParseName(string? name) => name switch
    {
        "half-up" => RoundingMode.HalfUp,
        "truncate" => RoundingMode.Truncate,
        _ => null,
    };
}
