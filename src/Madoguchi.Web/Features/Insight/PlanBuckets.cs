using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Insight;

/// <summary>Plan years up to FY2023 form one bucket ("令和5年度まで"), from FY2030 another ("令和12年度以降").</summary>
public static class PlanBuckets
{
    public const int First = 2023;
    public const int Last = 2030;

    public static int Of(int fiscalYear) => Math.Clamp(fiscalYear, First, Last);

    public static string Label(int bucket) => bucket switch
    {
        <= First => Wareki.FormatFiscalYear(First, PlanYearBound.OrEarlier),
        >= Last => Wareki.FormatFiscalYear(Last, PlanYearBound.OrLater),
        _ => Wareki.FormatFiscalYear(bucket),
    };

    public static string LabelEn(int bucket) => bucket switch
    {
        <= First => $"FY{First} or earlier",
        >= Last => $"FY{Last} or later",
        _ => $"FY{bucket}",
    };
}
