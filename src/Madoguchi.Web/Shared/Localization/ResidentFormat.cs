using System.Globalization;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Shared.Localization;

/// <summary>
/// Dates, times and fees on residents' pages. Dates and times are in Japan time: 和暦 with the 西暦 date
/// beside it in Japanese and やさしい日本語 ("令和7年4月1日（2025-04-01）9:05"), the Gregorian calendar in
/// words in English ("1 April 2025, 9:05"): an English reader cannot be expected to know the eras.
/// </summary>
public static class ResidentFormat
{
    public static string Date(DateOnly date, Language language) => language == Language.En
        ? date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)
        : $"{Wareki.Format(date)}（{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}）";

    public static string Date(DateTimeOffset instant, Language language) => Date(JapanTime.DateOf(instant), language);

    public static string DateTime(DateTimeOffset instant, Language language)
    {
        var local = TimeZoneInfo.ConvertTime(instant, JapanTime.Zone);
        var time = local.ToString("H:mm", CultureInfo.InvariantCulture);
        return language == Language.En ? $"{Date(instant, language)}, {time}" : Date(instant, language) + time;
    }

    /// <summary>"300円"; "¥300" in English.</summary>
    public static string Yen(long yen, Language language) => language == Language.En
        ? "¥" + yen.ToString("N0", CultureInfo.InvariantCulture)
        : yen.ToString("N0", CultureInfo.InvariantCulture) + "円";

    /// <summary>
    /// A price per unit: "1通につき300円" with the count's unit (a Japanese counter such as 通), "1件につき300円"
    /// without one; "¥300 each" in English and "1つ 300円" in やさしい日本語, where a counter in kanji would need ruby.
    /// </summary>
    public static string YenEach(long yen, string? unit, Language language) => language switch
    {
        Language.En => Yen(yen, language) + " each",
        Language.Easy => "1つ " + Yen(yen, language),
        _ => $"1{unit ?? "件"}につき{Yen(yen, language)}",
    };

    /// <summary>A price per unit times the count: "300円 × 2通 = 600円" (the unit in Japanese only); "¥300 × 2 = ¥600".</summary>
    public static string YenTimes(long yen, long count, string? unit, Language language)
    {
        var times = count.ToString("N0", CultureInfo.InvariantCulture) + (language == Language.Ja ? unit : null);
        return $"{Yen(yen, language)} × {times} = {Yen(checked(yen * count), language)}";
    }
}
