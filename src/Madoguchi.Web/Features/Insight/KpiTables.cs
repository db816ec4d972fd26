using Madoguchi.Web.Shared;
using System.Globalization;
using System.Text;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Web.Features.Insight;

/// <summary>Text is page wording; Data is municipal text (department, tool names) that exists only in Japanese.</summary>
public enum KpiColumnKind { Text, Data, Count, Percent }

/// <summary>A column: its header text key (kpi.col.*) and how its cells are shown.</summary>
public sealed record KpiColumn(string TextKey, KpiColumnKind Kind);

/// <summary>
/// A table of the dashboard, shared by the page and its CSV download so both show the same numbers.
/// Cells are string, int, long or decimal? (percent, null when the denominator is 0).
/// </summary>
public sealed record KpiTable(string Name, string TitleKey, IReadOnlyList<KpiColumn> Columns, IReadOnlyList<object?[]> Rows)
{
    public static readonly IReadOnlyList<string> Names = ["plan-years", "tools", "departments", "sections", "trend", "usage"];

    /// <summary>Plan years; <paramref name="label"/> replaces the 和暦 label on the English page (CSV files keep it).</summary>
    public static KpiTable PlanYears(OnlineKpi k, Func<PlanYearProgress, string>? label = null) => new("plan-years", "kpi.table.planyears",
        [new("kpi.col.fiscalyear", KpiColumnKind.Text), new("kpi.col.label", KpiColumnKind.Text), new("kpi.col.planned", KpiColumnKind.Count),
         new("kpi.col.done", KpiColumnKind.Count), new("kpi.col.progress", KpiColumnKind.Percent)],
        [.. k.ByPlanYear.Select(r => new object?[] { r.FiscalYear.ToString(CultureInfo.InvariantCulture), label?.Invoke(r) ?? r.Label, r.Planned, r.Done, r.ProgressPercent })]);

    /// <summary>Tools within one plan year, or within every plan year when year is null.</summary>
    public static KpiTable Tools(OnlineKpi k, int? year) => new("tools", "kpi.table.tools",
        [new("kpi.col.fiscalyear", KpiColumnKind.Text), new("kpi.col.tool", KpiColumnKind.Data), new("kpi.col.planned", KpiColumnKind.Count),
         new("kpi.col.done", KpiColumnKind.Count), new("kpi.col.progress", KpiColumnKind.Percent)],
        [.. k.ByPlanYearAndTool.Where(r => year is null || r.FiscalYear == year)
            .Select(r => new object?[] { r.FiscalYear.ToString(CultureInfo.InvariantCulture), r.Tool, r.Planned, r.Done, r.ProgressPercent })]);

    public static KpiTable Departments(DepartmentKpi k) => new("departments", "kpi.table.departments",
        [new("kpi.col.bu", KpiColumnKind.Data), new("kpi.col.total", KpiColumnKind.Count), new("kpi.col.eligible", KpiColumnKind.Count),
         new("kpi.col.online", KpiColumnKind.Count), new("kpi.col.rate", KpiColumnKind.Percent)],
        [.. k.ByBu.Select(r => new object?[] { r.Bu, r.Total, r.Eligible, r.Online, r.OnlineRatePercent })]);

    public static KpiTable Sections(DepartmentKpi k) => new("sections", "kpi.table.sections",
        [new("kpi.col.bu", KpiColumnKind.Data), new("kpi.col.ka", KpiColumnKind.Data), new("kpi.col.total", KpiColumnKind.Count),
         new("kpi.col.eligible", KpiColumnKind.Count), new("kpi.col.online", KpiColumnKind.Count), new("kpi.col.rate", KpiColumnKind.Percent)],
        [.. k.ByKa.Select(r => new object?[] { r.Bu, r.Ka, r.Total, r.Eligible, r.Online, r.OnlineRatePercent })]);

    public static KpiTable Trend(TrendKpi k) => new("trend", "kpi.table.trend",
        [new("kpi.col.month", KpiColumnKind.Text), new("kpi.col.date", KpiColumnKind.Text), new("kpi.col.online", KpiColumnKind.Count),
         new("kpi.col.rate", KpiColumnKind.Percent)],
        [.. k.Months.Select(r => new object?[] { r.Month, r.Date, r.Online, r.OnlineRatePercent })]);

    /// <summary>Usage by fiscal year; on the English page "FY2024" replaces 令和6年度 (CSV files keep it).</summary>
    public static KpiTable Usage(UsageKpi k, bool english = false) => new("usage", "kpi.table.usage",
        [new("kpi.col.fiscalyear", KpiColumnKind.Text), new("kpi.col.label", KpiColumnKind.Text), new("kpi.col.procedures", KpiColumnKind.Count),
         new("kpi.col.filings", KpiColumnKind.Count), new("kpi.col.onlinefilings", KpiColumnKind.Count), new("kpi.col.usage", KpiColumnKind.Percent),
         new("kpi.col.source", KpiColumnKind.Data)],
        [.. k.ByFiscalYear.Select(r => new object?[] { r.FiscalYear.ToString(CultureInfo.InvariantCulture), english ? $"FY{r.FiscalYear}" : r.Label, r.Procedures, r.TotalFilings, r.OnlineFilings, r.UsageRatePercent, UsageSources.Label(r.Source) })]);

    /// <summary>A cell as the page shows it: counts with thousands separators, rates with "%", "—" for none.</summary>
    public static string Display(object? cell, KpiColumnKind kind) => (cell, kind) switch
    {
        (null, KpiColumnKind.Percent) => "—",
        (decimal d, KpiColumnKind.Percent) => Shared.Percent.Format(d),
        (int n, _) => n.ToString("N0", CultureInfo.InvariantCulture),
        (long n, _) => n.ToString("N0", CultureInfo.InvariantCulture),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>
    /// The CSV: UTF-8 with BOM (Excel reads it as UTF-8), CRLF, Japanese headers, raw numbers, and
    /// text cells that could start a spreadsheet formula (=, +, -, @, tab, CR) prefixed with an apostrophe.
    /// </summary>
    public byte[] ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Columns.Select(c => CsvCell.Escape((Texts.All.TryGetValue(c.TextKey, out var t) ? t.Ja : c.TextKey))))).Append("\r\n");
        foreach (var row in Rows)
        {
            sb.Append(string.Join(',', row.Select(cell => cell switch
            {
                null => "",
                decimal d => d.ToString("0.0", CultureInfo.InvariantCulture),
                int n => n.ToString(CultureInfo.InvariantCulture),
                long n => n.ToString(CultureInfo.InvariantCulture),
                var other => CsvCell.Escape((Convert.ToString(other, CultureInfo.InvariantCulture) ?? "")),
            }))).Append("\r\n");
        }
        var bom = Encoding.UTF8.GetPreamble();
        var body = Encoding.UTF8.GetBytes(sb.ToString());
        return [.. bom, .. body];
    }

}
