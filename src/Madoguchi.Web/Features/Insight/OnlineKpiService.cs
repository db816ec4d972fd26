using Madoguchi.Web.Shared.Japanese;
using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Insight;

/// <summary>
/// Online-ization KPIs computed in the database by GROUP BY (no entity is loaded), identically on
/// SQLite and PostgreSQL. Definitions (issue 2 §3):
/// eligible = 可 (municipal layout) or every row but "3 適用除外" (national layout);
/// online at D = eligible, status 実施済, and online since on or before D when a date is known
/// (a national "1 実施済" counts at any date).
/// </summary>
public sealed partial class OnlineKpiService(MadoguchiDbContext db, MunicipalityService municipality, TimeProvider clock)
{
    /// <summary>Tools in the order the audit lists them; others follow by name, then the blank tool.</summary>
    public static IReadOnlyList<string> ToolOrder => Tools;

    private static readonly string[] Tools = ["LoGoフォーム", "ぴったりサービス", "共同運営電子申請サービス", "Madoguchi", "その他"];

    /// <summary>How a procedure without a tool is shown.</summary>
    public const string NoTool = "（未定）";

    /// <summary>How a procedure without a department is shown.</summary>
    public const string NoDepartment = "（未設定）";

    public DateOnly Today => JapanTime.Today(clock);

    /// <summary>The rounding to use: the one asked for, else the municipality's setting.</summary>
    public async Task<RoundingMode> RoundingAsync(RoundingMode? rounding, CancellationToken ct)
        => rounding ?? (await municipality.GetAsync(ct)).Rounding;

    /// <summary>オンライン化率 and progress by plan year and by tool within each plan year, as of a date.</summary>
    public async Task<OnlineKpi> OnlineAsync(DateOnly? asOf = null, RoundingMode? rounding = null, CancellationToken ct = default)
    {
        var date = asOf ?? Today;
        var mode = await RoundingAsync(rounding, ct);
        // One aggregate query; the (plan year, tool) groups are few, so the buckets are summed here.
        var rows = await db.Procedures.AsNoTracking()
            .GroupBy(p => new { p.PlanFiscalYear, p.Tool })
            .Select(g => new
            {
                g.Key.PlanFiscalYear,
                g.Key.Tool,
                Total = g.Count(),
                Eligible = g.Count(p => (p.Layout == InventoryLayout.National && p.Status != OnlineStatus.Exempt)
                                        || (p.Layout != InventoryLayout.National && p.OnlineEligible)),
                Online = g.Count(p => ((p.Layout == InventoryLayout.National && p.Status != OnlineStatus.Exempt)
                                       || (p.Layout != InventoryLayout.National && p.OnlineEligible))
                                      && p.Status == OnlineStatus.Done
                                      && (p.Layout == InventoryLayout.National || p.OnlineSince == null || p.OnlineSince <= date)),
            })
            .ToListAsync(ct);

        var total = rows.Sum(r => r.Total);
        var eligible = rows.Sum(r => r.Eligible);
        var online = rows.Sum(r => r.Online);
        var planned = rows.Where(r => r.PlanFiscalYear is not null && r.Eligible > 0)
            .Select(r => (Year: PlanBuckets.Of(r.PlanFiscalYear!.Value), Tool: r.Tool.Trim(), r.Eligible, r.Online))
            .ToList();

        var byYear = new List<PlanYearProgress>();
        if (planned.Count > 0)
        {
            // Every bucket from the first to the last one with procedures, so an empty year shows as such.
            for (var y = planned.Min(r => r.Year); y <= planned.Max(r => r.Year); y++)
            {
                var inYear = planned.Where(r => r.Year == y).ToList();
                int p = inYear.Sum(r => r.Eligible), d = inYear.Sum(r => r.Online);
                byYear.Add(new PlanYearProgress(y, PlanBuckets.Label(y), p, d, Percent.Of(d, p, mode)));
            }
        }
        var byTool = planned
            .GroupBy(r => (r.Year, Tool: r.Tool.Length == 0 ? NoTool : r.Tool))
            .Select(g => new PlanYearToolProgress(g.Key.Year, g.Key.Tool, g.Sum(r => r.Eligible), g.Sum(r => r.Online),
                Percent.Of(g.Sum(r => r.Online), g.Sum(r => r.Eligible), mode)))
            .OrderBy(t => t.FiscalYear).ThenBy(t => ToolRank(t.Tool)).ThenBy(t => t.Tool, StringComparer.Ordinal)
            .ToList();

        return new OnlineKpi(Iso(date), Percent.Name(mode), total, eligible, online,
            Percent.Of(online, eligible, mode), Percent.Of(online, total, mode), byYear, byTool);
    }

    /// <summary>The rate by 部 and by 部/課, highest rate first.</summary>
    public async Task<DepartmentKpi> DepartmentsAsync(DateOnly? asOf = null, RoundingMode? rounding = null, CancellationToken ct = default)
    {
        var date = asOf ?? Today;
        var mode = await RoundingAsync(rounding, ct);
        var rows = await db.Procedures.AsNoTracking()
            .GroupBy(p => p.DepartmentId)
            .Select(g => new
            {
                DepartmentId = g.Key,
                Total = g.Count(),
                Eligible = g.Count(p => (p.Layout == InventoryLayout.National && p.Status != OnlineStatus.Exempt)
                                        || (p.Layout != InventoryLayout.National && p.OnlineEligible)),
                Online = g.Count(p => ((p.Layout == InventoryLayout.National && p.Status != OnlineStatus.Exempt)
                                       || (p.Layout != InventoryLayout.National && p.OnlineEligible))
                                      && p.Status == OnlineStatus.Done
                                      && (p.Layout == InventoryLayout.National || p.OnlineSince == null || p.OnlineSince <= date)),
            })
            .ToListAsync(ct);
        // Departments are a few dozen rows: names are joined here rather than grouped by in SQL.
        var names = await db.Departments.AsNoTracking().Select(d => new { d.Id, d.Bu, d.Ka }).ToDictionaryAsync(d => d.Id, ct);
        var named = rows.Select(r =>
        {
            var dept = r.DepartmentId is { } id && names.TryGetValue(id, out var n) ? n : null;
            var bu = dept is null || dept.Bu.Length == 0 ? NoDepartment : dept.Bu;
            return (Bu: bu, Ka: dept?.Ka ?? "", r.Total, r.Eligible, r.Online);
        }).ToList();

        var byBu = named.GroupBy(r => r.Bu)
            .Select(g => new BuKpi(g.Key, g.Sum(r => r.Total), g.Sum(r => r.Eligible), g.Sum(r => r.Online),
                Percent.Of(g.Sum(r => r.Online), g.Sum(r => r.Eligible), mode)))
            .OrderByDescending(b => b.OnlineRatePercent ?? -1m).ThenByDescending(b => b.Eligible).ThenBy(b => b.Bu, StringComparer.Ordinal)
            .ToList();
        var byKa = named.GroupBy(r => (r.Bu, r.Ka))
            .Select(g => new KaKpi(g.Key.Bu, g.Key.Ka, g.Sum(r => r.Total), g.Sum(r => r.Eligible), g.Sum(r => r.Online),
                Percent.Of(g.Sum(r => r.Online), g.Sum(r => r.Eligible), mode)))
            .OrderByDescending(k => k.OnlineRatePercent ?? -1m).ThenByDescending(k => k.Eligible)
            .ThenBy(k => k.Bu, StringComparer.Ordinal).ThenBy(k => k.Ka, StringComparer.Ordinal)
            .ToList();
        return new DepartmentKpi(Iso(date), Percent.Name(mode), byBu, byKa);
    }

    /// <summary>Procedures online at the end of each of the <paramref name="months"/> months up to asOf (the last point is asOf itself).</summary>
    public async Task<TrendKpi> TrendAsync(DateOnly? asOf = null, RoundingMode? rounding = null, int months = KpiParameters.DefaultMonths, CancellationToken ct = default)
    {
        var date = asOf ?? Today;
        var mode = await RoundingAsync(rounding, ct);
        months = Math.Clamp(months, 1, KpiParameters.MaxMonths);
        // Online procedures by the day they went online; the running sum gives every month at once.
        var since = await db.Procedures.AsNoTracking()
            .Where(p => ((p.Layout == InventoryLayout.National && p.Status != OnlineStatus.Exempt)
                         || (p.Layout != InventoryLayout.National && p.OnlineEligible))
                        && p.Status == OnlineStatus.Done)
            .GroupBy(p => new { p.Layout, p.OnlineSince })
            .Select(g => new { g.Key.Layout, g.Key.OnlineSince, Count = g.Count() })
            .ToListAsync(ct);
        var eligible = await db.Procedures.AsNoTracking()
            .CountAsync(p => (p.Layout == InventoryLayout.National && p.Status != OnlineStatus.Exempt)
                             || (p.Layout != InventoryLayout.National && p.OnlineEligible), ct);
        var always = since.Where(s => s.Layout == InventoryLayout.National || s.OnlineSince is null).Sum(s => s.Count);
        var dated = since.Where(s => s.Layout != InventoryLayout.National && s.OnlineSince is not null)
            .Select(s => (Since: s.OnlineSince!.Value, s.Count)).ToList();

        var points = new List<TrendPoint>(months);
        var first = new DateOnly(date.Year, date.Month, 1).AddMonths(-(months - 1));
        for (var i = 0; i < months; i++)
        {
            var monthStart = first.AddMonths(i);
            var end = i == months - 1 ? date : monthStart.AddMonths(1).AddDays(-1);
            var online = always + dated.Where(d => d.Since <= end).Sum(d => d.Count);
            points.Add(new TrendPoint(monthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture), Iso(end), online, Percent.Of(online, eligible, mode)));
        }
        return new TrendKpi(Iso(date), Percent.Name(mode), eligible, points);
    }

    /// <summary>
    /// オンライン利用率 per fiscal year up to asOf's, and one fiscal year's procedures a page at a time.
    /// A procedure's fiscal year comes from the ledger (its cases by channel) when the ledger holds any
    /// of its cases received that year, and from the imported volumes (ProcedureVolume) otherwise —
    /// never both (docs/adr/0011). Each row says which (<see cref="UsageSources"/>).
    /// </summary>
    public async Task<UsageKpi> UsageAsync(DateOnly? asOf = null, RoundingMode? rounding = null, int? fiscalYear = null,
        int offset = 0, int limit = KpiParameters.DefaultLimit, CancellationToken ct = default)
    {
        var date = asOf ?? Today;
        var mode = await RoundingAsync(rounding, ct);
        var lastYear = JapanTime.FiscalYearOf(date);
        var ledger = await LedgerCountsAsync(date, null, null, ct);
        var byYear = await UsageYearsAsync(ledger, lastYear, mode, ct);

        // Default: the latest fiscal year with any volume or any case up to asOf's fiscal year.
        var latestVolume = await db.ProcedureVolumes.Where(v => v.FiscalYear <= lastYear).MaxAsync(v => (int?)v.FiscalYear, ct);
        var latestCase = ledger.Count == 0 ? (int?)null : ledger.Max(l => l.FiscalYear);
        var fy = fiscalYear ?? (latestVolume is null ? latestCase : latestCase is null ? latestVolume : Math.Max(latestVolume.Value, latestCase.Value));
        var list = new List<UsageProcedure>();
        string? next = null;
        if (fy is not null)
        {
            limit = Math.Clamp(limit, 1, KpiParameters.MaxLimit);
            var year = fy.Value;
            var (first, last) = JapanTime.FiscalYearRange(year);
            // Procedures with a volume that year or a case received that year, ordered by id (a GUID),
            // which sorts alike on SQLite (text) and PostgreSQL (uuid).
            var withVolume = db.ProcedureVolumes.AsNoTracking().Where(v => v.FiscalYear == year).Select(v => v.ProcedureId);
            var withCases = db.Cases.AsNoTracking().Where(c => c.ReceivedOn >= first && c.ReceivedOn <= last && c.ReceivedOn <= date).Select(c => c.ProcedureId);
            var ids = await withVolume.Union(withCases).OrderBy(id => id).Skip(offset).Take(limit + 1).ToListAsync(ct);
            if (ids.Count > limit)
            {
                ids.RemoveAt(limit);
                next = KpiParameters.EncodeCursor(offset + limit);
            }
            var procedures = await db.Procedures.AsNoTracking().Where(p => ids.Contains(p.Id))
                .Select(p => new { p.Id, p.Code, p.Name, Bu = p.Department == null ? "" : p.Department.Bu, Ka = p.Department == null ? "" : p.Department.Ka })
                .ToDictionaryAsync(p => p.Id, ct);
            var volumes = await db.ProcedureVolumes.AsNoTracking().Where(v => v.FiscalYear == year && ids.Contains(v.ProcedureId))
                .Select(v => new { v.ProcedureId, v.Total, v.Online }).ToDictionaryAsync(v => v.ProcedureId, ct);
            var counted = ledger.Where(l => l.FiscalYear == year).ToDictionary(l => l.ProcedureId);
            var processing = await ProcessingAsync([.. counted.Keys.Where(ids.Contains)], year, date, mode, ct);
            foreach (var id in ids)
            {
                var p = procedures[id];
                var department = string.Join(" ", new[] { p.Bu, p.Ka }.Where(s => s.Length > 0));
                if (counted.TryGetValue(id, out var l))
                {
                    list.Add(new UsageProcedure(id.ToString(), p.Code, p.Name, department, l.Total, l.Online, Percent.Of(l.Online, l.Total, mode),
                        UsageSources.Ledger, processing.GetValueOrDefault((id, year))));
                }
                else
                {
                    var v = volumes.GetValueOrDefault(id);
                    list.Add(new UsageProcedure(id.ToString(), p.Code, p.Name, department, v?.Total, v?.Online,
                        v is { Total: { } t, Online: { } o } && t > 0 ? Percent.Of(o, t, mode) : null, UsageSources.Imported));
                }
            }
        }
        return new UsageKpi(Iso(date), Percent.Name(mode), fy, byYear, list, next);
    }

    public static int ToolRank(string tool)
    {
        if (tool == NoTool) return int.MaxValue;
        var i = Array.IndexOf(Tools, tool);
        return i >= 0 ? i : Tools.Length;
    }

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
