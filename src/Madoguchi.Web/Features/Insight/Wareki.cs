using System.Globalization;

namespace Madoguchi.Web.Features.Insight;

/// <summary>和暦 labels for the KPI pages and JSON (令和7年3月31日, 令和6年度, 令和5年度まで).</summary>
public static class Wareki
{
    /// <summary>Plan years up to FY2023 form one bucket ("令和5年度まで"), from FY2030 another ("2030年度以降").</summary>
    public const int FirstPlanBucket = 2023;
    public const int LastPlanBucket = 2030;

    private static readonly JapaneseCalendar Calendar = new();
    private static readonly DateTimeFormatInfo Format = CreateFormat();

    private static DateTimeFormatInfo CreateFormat()
    {
        var culture = (CultureInfo)CultureInfo.GetCultureInfo("ja-JP").Clone();
        culture.DateTimeFormat.Calendar = Calendar;
        return culture.DateTimeFormat;
    }

    /// <summary>"令和7年3月31日"; the first year of an era is 元年.</summary>
    public static string Date(DateOnly date)
    {
        var dt = date.ToDateTime(TimeOnly.MinValue);
        return $"{EraYear(dt)}{date.Month}月{date.Day}日";
    }

    /// <summary>"令和6年度" for the fiscal year starting in April 2024.</summary>
    public static string FiscalYear(int fiscalYear)
        // Mid-year, so FY2019 (平成31年4月 – 令和2年3月) reads 令和元年度 as municipalities now write it.
        => EraYear(new DateTime(fiscalYear, 7, 1, 0, 0, 0, DateTimeKind.Unspecified)) + "度";

    public static string PlanYearLabel(int bucket) => bucket switch
    {
        <= FirstPlanBucket => FiscalYear(FirstPlanBucket) + "まで",
        >= LastPlanBucket => FiscalYear(LastPlanBucket) + "以降",
        _ => FiscalYear(bucket),
    };

    public static string PlanYearLabelEn(int bucket) => bucket switch
    {
        <= FirstPlanBucket => $"FY{FirstPlanBucket} or earlier",
        >= LastPlanBucket => $"FY{LastPlanBucket} or later",
        _ => $"FY{bucket}",
    };

    public static int PlanBucket(int fiscalYear) => Math.Clamp(fiscalYear, FirstPlanBucket, LastPlanBucket);

    /// <summary>The fiscal year (April–March) a date falls in, as the Western year it starts.</summary>
    public static int FiscalYearOf(DateOnly date) => date.Month >= 4 ? date.Year : date.Year - 1;

    private static string EraYear(DateTime dt)
    {
        var year = Calendar.GetYear(dt);
        return Format.GetEraName(Calendar.GetEra(dt)) + (year == 1 ? "元" : year.ToString(CultureInfo.InvariantCulture)) + "年";
    }
}
