using System.Globalization;
using System.Text.RegularExpressions;
using Madoguchi.Web.Features.Catalog;

namespace Madoguchi.Web.Shared.Japanese;

public enum DateProblemKind { None, Empty, Format, EraYear, Month, Day, NotInEra }

/// <summary>Why <see cref="Wareki.ParseDate(string?, out DateProblem)"/> refused a date.</summary>
/// <param name="DaysInMonth">For <see cref="DateProblemKind.Day"/>: how many days the month has.</param>
/// <param name="Western">For <see cref="DateProblemKind.NotInEra"/>: the day in the Western calendar.</param>
public readonly record struct DateProblem(DateProblemKind Kind, int DaysInMonth = 0, DateOnly? Western = null)
{
    public static DateProblem None => new(DateProblemKind.None);
    public static DateProblem Empty => new(DateProblemKind.Empty);
    public static DateProblem Format => new(DateProblemKind.Format);
    public static DateProblem EraYear => new(DateProblemKind.EraYear);
    public static DateProblem Month => new(DateProblemKind.Month);
    public static DateProblem Day => new(DateProblemKind.Day);
    public static DateProblem NotInEra => new(DateProblemKind.NotInEra);
}

/// <summary>A fiscal year as written in an inventory: "令和6年度", "令和5年度まで", "2030年度以降".</summary>
public readonly record struct FiscalYearSpec(int Year, PlanYearBound Bound);

/// <summary>
/// 和暦 (Japanese era) dates, months and fiscal years, read from what people type (full-width
/// digits, "R7.4.1", "令和元年") and written as staff expect. Every method is total: bad input
/// gives null, never an exception. Era boundaries come from .NET's JapaneseCalendar (ICU).
/// </summary>
public static partial class Wareki
{
    private sealed record Era(string Name, char Letter, DateOnly Start);

    private static readonly Era[] Eras = LoadEras();

    /// <summary>The last fiscal year that has ended, Japan time.</summary>
    public static int LastCompletedFiscalYear(TimeProvider clock) => JapanTime.FiscalYearOf(JapanTime.Today(clock)) - 1;

    /// <summary>"2025-04-01", "2025/4/1", "2025年4月1日", "R7.4.1", "令和7年4月1日", "令和元年5月1日", full-width or not.</summary>
    public static DateOnly? ParseDate(string? text) => ParseDate(text, out _);

    /// <summary>
    /// <see cref="ParseDate(string?)"/>, telling why a date was refused so that a form can say how to
    /// fix it. For <see cref="DateProblem.NotInEra"/>, <paramref name="problem"/> carries the day the
    /// digits would be in the Western calendar (平成31年5月1日 → 2019-05-01, which is 令和元年5月1日).
    /// </summary>
    public static DateOnly? ParseDate(string? text, out DateProblem problem)
    {
        var s = TextNormalizer.Compact(text);
        problem = DateProblem.Empty;
        if (s.Length == 0) return null;
        problem = DateProblem.Format;
        if (s.Length > 40) return null;
        var m = WesternDate().Match(s);
        if (m.Success) return Checked(Int(m.Groups[1].Value), Int(m.Groups[2].Value), Int(m.Groups[3].Value), out problem);
        m = EraDate().Match(s);
        if (!m.Success) return null;
        if (EraYear(m.Groups[1].Value, m.Groups[2].Value) is not (var era, var year))
        {
            problem = DateProblem.EraYear;
            return null;
        }
        if (Checked(year, Int(m.Groups[3].Value), Int(m.Groups[4].Value), out problem) is not { } d) return null;
        if (InEra(era, d)) return d;
        problem = DateProblem.NotInEra with { Western = d };
        return null;
    }

    /// <summary>The era's name and its first and last day (null when it is the current era): 平成 → 1989-01-08 … 2019-04-30.</summary>
    public static (string Name, DateOnly First, DateOnly? Last)? EraSpan(DateOnly date)
    {
        var era = EraOf(date);
        if (era is null) return null;
        return (era.Name, era.Start, Next(era) is { } next ? next.Start.AddDays(-1) : null);
    }

    private static DateOnly? Checked(int y, int m, int d, out DateProblem problem)
    {
        problem = m is < 1 or > 12 ? DateProblem.Month
            : y is < 1 or > 9999 ? DateProblem.Format
            : d < 1 || d > DateTime.DaysInMonth(y, m) ? DateProblem.Day with { DaysInMonth = DateTime.DaysInMonth(y, m) }
            : DateProblem.None;
        return problem.Kind == DateProblemKind.None ? new DateOnly(y, m, d) : null;
    }

    /// <summary>"2024-07", "2024/7", "2024年7月", "令和6年7月", "R6.7" → (2024, 7).</summary>
    public static (int Year, int Month)? ParseMonth(string? text)
    {
        var s = TextNormalizer.Compact(text);
        if (s.Length == 0 || s.Length > 40) return null;
        var m = WesternMonth().Match(s);
        if (m.Success) return MakeMonth(Int(m.Groups[1].Value), Int(m.Groups[2].Value));
        m = EraMonth().Match(s);
        if (m.Success && EraYear(m.Groups[1].Value, m.Groups[2].Value) is (var era, var year)
            && MakeMonth(year, Int(m.Groups[3].Value)) is { } ym
            // The month must overlap the era: 平成31年4月 exists, 平成31年5月 does not.
            && InEra(era, new DateOnly(ym.Year, ym.Month, DateTime.DaysInMonth(ym.Year, ym.Month))))
        {
            return ym;
        }
        return null;
    }

    /// <summary>"令和6年度", "2024年度", "令和5年度まで", "2030年度以降", "令和元年度", "平成31年度".</summary>
    public static FiscalYearSpec? ParseFiscalYear(string? text)
    {
        var s = TextNormalizer.Compact(text);
        if (s.Length == 0 || s.Length > 40) return null;
        var m = FiscalYear().Match(s);
        if (!m.Success) return null;
        int year;
        if (m.Groups["western"].Success)
        {
            year = Int(m.Groups["western"].Value);
        }
        else if (EraYear(m.Groups["era"].Value, m.Groups["n"].Value) is (var era, var y)
                 // A fiscal year belongs to an era when it starts before the next era does (平成31年度 = 2019 is usual).
                 && (Next(era) is not { } next || y <= next.Start.Year))
        {
            year = y;
        }
        else
        {
            return null;
        }
        if (year < 1 || year > 9999) return null;
        var bound = m.Groups["bound"].Value switch
        {
            "まで" or "以前" => PlanYearBound.OrEarlier,
            "以降" or "から" => PlanYearBound.OrLater,
            _ => PlanYearBound.Exact,
        };
        return new FiscalYearSpec(year, bound);
    }

    /// <summary>"令和7年4月1日", "令和元年5月1日"; ISO for days before the Meiji era.</summary>
    public static string Format(DateOnly date)
    {
        var era = EraOf(date);
        if (era is null) return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"{era.Name}{YearText(date.Year - era.Start.Year + 1)}年{date.Month}月{date.Day}日";
    }

    /// <summary>"令和6年度", "令和元年度", "令和5年度まで", "令和12年度以降".</summary>
    /// <remarks>A fiscal year takes the era in force for most of it: FY2019 is 令和元年度, FY1988 is 昭和63年度.</remarks>
    public static string FormatFiscalYear(int year, PlanYearBound bound = PlanYearBound.Exact)
    {
        var suffix = bound switch { PlanYearBound.OrEarlier => "まで", PlanYearBound.OrLater => "以降", _ => "" };
        var start = year is >= 1 and <= 9998 ? EraOf(new DateOnly(year, 10, 1)) : null;
        return start is null
            ? $"{year.ToString(CultureInfo.InvariantCulture)}年度{suffix}"
            : $"{start.Name}{YearText(year - start.Start.Year + 1)}年度{suffix}";
    }

    /// <summary>"2025年(令和7年)", as the DADS date picker shows years.</summary>
    public static string FormatYear(int year)
    {
        var era = year is >= 1 and <= 9999 ? EraOf(new DateOnly(year, 12, 31)) : null;
        return era is null ? $"{year}年" : $"{year}年({era.Name}{YearText(year - era.Start.Year + 1)}年)";
    }

    private static string YearText(int n) => n == 1 ? "元" : n.ToString(CultureInfo.InvariantCulture);

    private static Era? EraOf(DateOnly date)
    {
        for (var i = Eras.Length - 1; i >= 0; i--)
        {
            if (date >= Eras[i].Start) return Eras[i];
        }
        return null;
    }

    private static Era? Next(Era era)
    {
        var i = Array.IndexOf(Eras, era);
        return i >= 0 && i + 1 < Eras.Length ? Eras[i + 1] : null;
    }

    private static bool InEra(Era era, DateOnly date) => date >= era.Start && (Next(era) is not { } next || date < next.Start);

    private static (Era Era, int Year)? EraYear(string eraText, string yearText)
    {
        var era = Array.Find(Eras, e => e.Name == eraText || (eraText.Length == 1 && char.ToUpperInvariant(eraText[0]) == e.Letter));
        if (era is null) return null;
        var n = yearText == "元" ? 1 : Int(yearText);
        if (n < 1 || n > 200) return null;
        return (era, era.Start.Year + n - 1);
    }

    private static (int Year, int Month)? MakeMonth(int y, int m) => y is >= 1 and <= 9999 && m is >= 1 and <= 12 ? (y, m) : null;

    // The regexes allow at most 4 digits, so this never overflows; anything else is -1.
    private static int Int(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;

    private static Era[] LoadEras()
    {
        var calendar = new JapaneseCalendar();
        var culture = new CultureInfo("ja-JP");
        culture.DateTimeFormat.Calendar = calendar;
        var eras = new List<Era>();
        // Walk the calendar from its first day and note each day the era changes; ICU knows the dates.
        var day = calendar.MinSupportedDateTime.Date;
        var last = -1;
        while (day.Year <= 2200 && day <= calendar.MaxSupportedDateTime)
        {
            var era = calendar.GetEra(day);
            if (era != last)
            {
                // Find the exact first day when the era changed since the last probe.
                var first = day;
                while (first > calendar.MinSupportedDateTime && calendar.GetEra(first.AddDays(-1)) == era) first = first.AddDays(-1);
                var name = culture.DateTimeFormat.GetEraName(era);
                eras.Add(new Era(name, Letter(name), DateOnly.FromDateTime(first)));
                last = era;
            }
            day = day.AddDays(30);
        }
        return [.. eras];
    }

    private static char Letter(string eraName) => eraName switch
    {
        "明治" => 'M',
        "大正" => 'T',
        "昭和" => 'S',
        "平成" => 'H',
        "令和" => 'R',
        _ => '\0',
    };

    private const string EraPattern = "(明治|大正|昭和|平成|令和|[MTSHRmtshr])";

    [GeneratedRegex(@"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$", RegexOptions.CultureInvariant)]
    private static partial Regex WesternDate();

    [GeneratedRegex("^" + EraPattern + @"([0-9]{1,3}|元)[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$", RegexOptions.CultureInvariant)]
    private static partial Regex EraDate();

    [GeneratedRegex(@"^([0-9]{4})[-/.年]([0-9]{1,2})月?$", RegexOptions.CultureInvariant)]
    private static partial Regex WesternMonth();

    [GeneratedRegex("^" + EraPattern + @"([0-9]{1,3}|元)[-/.年]([0-9]{1,2})月?$", RegexOptions.CultureInvariant)]
    private static partial Regex EraMonth();

    [GeneratedRegex(@"^(?:(?<western>[0-9]{4})年度?|(?<era>明治|大正|昭和|平成|令和|[MTSHRmtshr])(?<n>[0-9]{1,3}|元)年度)(?<bound>まで|以前|以降|から)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FiscalYear();
}
