namespace Madoguchi.Web.Features.Insight;

// The JSON bodies of /api/v1/kpi/* and `./madoguchi kpi …` (camelCase through KpiJson.Options).
// Percentages are decimals with one place (12.1, 100.0), null when the denominator is 0.

/// <summary>GET /api/v1/kpi/online: オンライン化率 and progress by plan fiscal year and tool.</summary>
public sealed record OnlineKpi(
    string AsOf,
    string Rounding,
    int Total,
    int Eligible,
    int Online,
    decimal? OnlineRatePercent,
    decimal? NationalOnlineRatePercent,
    IReadOnlyList<PlanYearProgress> ByPlanYear,
    IReadOnlyList<PlanYearToolProgress> ByPlanYearAndTool);

/// <summary>A plan-year bucket: fiscalYear is the Western year the fiscal year starts; 2023 holds everything up to FY2023.</summary>
public sealed record PlanYearProgress(int FiscalYear, string Label, int Planned, int Done, decimal? ProgressPercent);

public sealed record PlanYearToolProgress(int FiscalYear, string Tool, int Planned, int Done, decimal? ProgressPercent);

/// <summary>GET /api/v1/kpi/departments: the rate by 部 and by 部/課.</summary>
public sealed record DepartmentKpi(string AsOf, string Rounding, IReadOnlyList<BuKpi> ByBu, IReadOnlyList<KaKpi> ByKa);

public sealed record BuKpi(string Bu, int Total, int Eligible, int Online, decimal? OnlineRatePercent);

public sealed record KaKpi(string Bu, string Ka, int Total, int Eligible, int Online, decimal? OnlineRatePercent);

/// <summary>GET /api/v1/kpi/trend: procedures online at the end of each month (the last month: at asOf).</summary>
public sealed record TrendKpi(string AsOf, string Rounding, int Eligible, IReadOnlyList<TrendPoint> Months);

public sealed record TrendPoint(string Month, string Date, int Online, decimal? OnlineRatePercent);

/// <summary>
/// GET /api/v1/kpi/usage: オンライン利用率 (online filings ÷ all filings), from the ledger's cases for the
/// fiscal years it holds a procedure's cases and from imported volumes otherwise (source: ledger, imported, mixed).
/// byFiscalYear sums the procedures whose online count is known; procedures lists one fiscal year, a page at a time.
/// </summary>
public sealed record UsageKpi(
    string AsOf,
    string Rounding,
    int? FiscalYear,
    IReadOnlyList<UsageYear> ByFiscalYear,
    IReadOnlyList<UsageProcedure> Procedures,
    string? NextCursor);

/// <summary>ledgerProcedures of the procedures are counted from the ledger; source says whether all, none (imported) or some (mixed) are.</summary>
public sealed record UsageYear(int FiscalYear, string Label, int Procedures, long TotalFilings, long OnlineFilings, decimal? UsageRatePercent,
    int LedgerProcedures = 0, string Source = UsageSources.Imported);

/// <summary>processing is the ledger's figures (null when the year comes from imported volumes).</summary>
public sealed record UsageProcedure(string Id, string Code, string Name, string Department, int? Total, int? Online, decimal? UsageRatePercent,
    string Source = UsageSources.Imported, ProcessingFigures? Processing = null);

/// <summary>
/// The ledger's processing figures of a procedure's cases received in a fiscal year: completed (完了) cases, the
/// median business days from 受付日 to 完了日, those with a due date and those completed by it (標準処理期間), and 補正依頼.
/// </summary>
public sealed record ProcessingFigures(int Completed, decimal? MedianBusinessDays, int CompletedWithDueDate, int CompletedWithinStandard,
    decimal? WithinStandardPercent, int CorrectionRequests);

/// <summary>One procedure's figures by fiscal year (newest first), for its statistics page.</summary>
public sealed record ProcedureStats(string AsOf, string Rounding, string ProcedureId, IReadOnlyList<ProcedureYear> Years);

public sealed record ProcedureYear(int FiscalYear, string Label, string Source, int? Total, int? Online, decimal? UsageRatePercent, ProcessingFigures? Processing);

/// <summary>One invalid parameter, as in the API's 422 problem details.</summary>
public sealed record KpiError(string Field, string Code, string Message);
