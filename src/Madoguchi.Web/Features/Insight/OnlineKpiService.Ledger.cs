using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Insight;

/// <summary>Where a usage figure comes from: the ledger's cases, the imported volumes, or both (a fiscal year's sum over procedures).</summary>
public static class UsageSources
{
    public const string Ledger = "ledger";
    public const string Imported = "imported";
    public const string Mixed = "mixed";

    /// <summary>The words of the dashboard: 台帳から / 取込値 / 台帳と取込値.</summary>
    public static string Label(string source) => source switch
    {
        Ledger => "台帳から",
        Mixed => "台帳と取込値",
        _ => "取込値",
    };
}

/// <summary>
/// The ledger's side of the KPIs: オンライン利用率 from the cases' channels and the processing figures
/// (median business days to 完了, share within 標準処理期間, 補正依頼), all counted in the database.
/// </summary>
public sealed partial class OnlineKpiService
{
    /// <summary>Cases of one procedure received in one fiscal year (受付日, Japan time), and how many came online.</summary>
    private sealed record LedgerCount(Guid ProcedureId, int FiscalYear, int Total, int Online);

    /// <summary>One GROUP BY over the cases received up to asOf: a row per procedure and fiscal year.</summary>
    private async Task<List<LedgerCount>> LedgerCountsAsync(DateOnly asOf, Guid? procedureId, int? fiscalYear, CancellationToken ct)
    {
        var cases = db.Cases.AsNoTracking().Where(c => c.ReceivedOn <= asOf);
        if (procedureId is { } id) cases = cases.Where(c => c.ProcedureId == id);
        if (fiscalYear is { } fy)
        {
            var (first, last) = JapanTime.FiscalYearRange(fy);
            cases = cases.Where(c => c.ReceivedOn >= first && c.ReceivedOn <= last);
        }
        var rows = await cases
            .GroupBy(c => new { c.ProcedureId, FiscalYear = c.ReceivedOn.Month >= 4 ? c.ReceivedOn.Year : c.ReceivedOn.Year - 1 })
            .Select(g => new { g.Key.ProcedureId, g.Key.FiscalYear, Total = g.Count(), Online = g.Count(c => c.Channel == CaseChannel.Online) })
            .ToListAsync(ct);
        // Cases purged at the end of their retention period still count (DESIGN.md §4.9): their tallies join the live cases.
        var tallies = db.CaseTallies.AsNoTracking().Where(t => t.FiscalYear <= JapanTime.FiscalYearOf(asOf));
        if (procedureId is { } pid) tallies = tallies.Where(t => t.ProcedureId == pid);
        if (fiscalYear is { } tfy) tallies = tallies.Where(t => t.FiscalYear == tfy);
        var purged = await tallies.GroupBy(t => new { t.ProcedureId, t.FiscalYear })
            .Select(g => new { g.Key.ProcedureId, g.Key.FiscalYear, Total = g.Sum(t => t.Purged), Online = g.Sum(t => t.Channel == CaseChannel.Online ? t.Purged : 0) })
            .ToListAsync(ct);
        return [.. rows.Select(r => (r.ProcedureId, r.FiscalYear, r.Total, r.Online))
            .Concat(purged.Select(p => (p.ProcedureId, p.FiscalYear, p.Total, p.Online)))
            .GroupBy(r => (r.ProcedureId, r.FiscalYear))
            .Select(g => new LedgerCount(g.Key.ProcedureId, g.Key.FiscalYear, g.Sum(r => r.Total), g.Sum(r => r.Online)))];
    }

    /// <summary>
    /// The sum per fiscal year: imported volumes (those with an online count) of the procedure-years the
    /// ledger does not cover, plus the ledger's counts of those it does.
    /// </summary>
    private async Task<List<UsageYear>> UsageYearsAsync(List<LedgerCount> ledger, int lastYear, RoundingMode mode, CancellationToken ct)
    {
        var imported = await db.ProcedureVolumes.AsNoTracking()
            .Where(v => v.FiscalYear <= lastYear && v.Total != null && v.Online != null)
            .GroupBy(v => v.FiscalYear)
            .Select(g => new { FiscalYear = g.Key, Procedures = g.Count(), Total = g.Sum(v => (long)v.Total!.Value), Online = g.Sum(v => (long)v.Online!.Value) })
            .ToListAsync(ct);
        // The imported rows the ledger replaces: only those of procedures with cases, a small set.
        var ledgerProcedures = ledger.Select(l => l.ProcedureId).Distinct().ToList();
        var covered = ledger.Select(l => (l.ProcedureId, l.FiscalYear)).ToHashSet();
        var replaced = ledgerProcedures.Count == 0 ? [] : (await db.ProcedureVolumes.AsNoTracking()
                .Where(v => v.FiscalYear <= lastYear && v.Total != null && v.Online != null && ledgerProcedures.Contains(v.ProcedureId))
                .Select(v => new { v.ProcedureId, v.FiscalYear, Total = (long)v.Total!.Value, Online = (long)v.Online!.Value })
                .ToListAsync(ct))
            .Where(v => covered.Contains((v.ProcedureId, v.FiscalYear))).ToList();
        var years = imported.Select(y => y.FiscalYear).Concat(ledger.Select(l => l.FiscalYear)).Distinct().Order();
        var result = new List<UsageYear>();
        foreach (var year in years)
        {
            var i = imported.FirstOrDefault(y => y.FiscalYear == year);
            var r = replaced.Where(v => v.FiscalYear == year).ToList();
            var l = ledger.Where(x => x.FiscalYear == year).ToList();
            int importedProcedures = (i?.Procedures ?? 0) - r.Count, ledgerCount = l.Count;
            long total = (i?.Total ?? 0) - r.Sum(v => v.Total) + l.Sum(x => (long)x.Total);
            long online = (i?.Online ?? 0) - r.Sum(v => v.Online) + l.Sum(x => (long)x.Online);
            var source = ledgerCount == 0 ? UsageSources.Imported : importedProcedures == 0 ? UsageSources.Ledger : UsageSources.Mixed;
            result.Add(new UsageYear(year, Wareki.FormatFiscalYear(year), importedProcedures + ledgerCount, total, online, Percent.Of(online, total, mode), ledgerCount, source));
        }
        return result;
    }

    /// <summary>
    /// One procedure's オンライン利用率 by fiscal year (ledger or imported, as <see cref="UsageAsync"/> decides) with the
    /// ledger's processing figures, for its statistics page.
    /// </summary>
    public async Task<ProcedureStats> ProcedureStatsAsync(Guid procedureId, DateOnly? asOf = null, RoundingMode? rounding = null, CancellationToken ct = default)
    {
        var date = asOf ?? Today;
        var mode = await RoundingAsync(rounding, ct);
        var lastYear = JapanTime.FiscalYearOf(date);
        var ledger = (await LedgerCountsAsync(date, procedureId, null, ct)).ToDictionary(l => l.FiscalYear);
        var volumes = await db.ProcedureVolumes.AsNoTracking().Where(v => v.ProcedureId == procedureId && v.FiscalYear <= lastYear)
            .Select(v => new { v.FiscalYear, v.Total, v.Online }).ToDictionaryAsync(v => v.FiscalYear, ct);
        var processing = await ProcessingAsync([procedureId], null, date, mode, ct);
        var years = new List<ProcedureYear>();
        foreach (var year in ledger.Keys.Concat(volumes.Keys).Distinct().OrderDescending())
        {
            if (ledger.TryGetValue(year, out var l))
            {
                years.Add(new ProcedureYear(year, Wareki.FormatFiscalYear(year), UsageSources.Ledger, l.Total, l.Online, Percent.Of(l.Online, l.Total, mode),
                    processing.GetValueOrDefault((procedureId, year))));
            }
            else
            {
                var v = volumes[year];
                years.Add(new ProcedureYear(year, Wareki.FormatFiscalYear(year), UsageSources.Imported, v.Total, v.Online,
                    v.Total is > 0 && v.Online is { } o ? Percent.Of(o, v.Total.Value, mode) : null, null));
            }
        }
        return new ProcedureStats(Iso(date), Percent.Name(mode), procedureId.ToString(), years);
    }

    /// <summary>
    /// Processing figures per procedure and fiscal year of receipt: 完了 is the workflow's first closed
    /// status (default 完了). Cases are grouped in the database by (受付日, 完了日), so the median in
    /// business days is taken over a few thousand day pairs, never over the cases themselves.
    /// </summary>
    private async Task<Dictionary<(Guid ProcedureId, int FiscalYear), ProcessingFigures>> ProcessingAsync(
        IReadOnlyCollection<Guid> procedures, int? fiscalYear, DateOnly asOf, RoundingMode mode, CancellationToken ct)
    {
        var result = new Dictionary<(Guid, int), ProcessingFigures>();
        if (procedures.Count == 0) return result;
        var ids = procedures.ToList();
        var workflows = await db.LedgerSettings.AsNoTracking().Where(s => ids.Contains(s.ProcedureId))
            .Select(s => new { s.ProcedureId, s.WorkflowJson }).ToDictionaryAsync(s => s.ProcedureId, s => s.WorkflowJson, ct);
        var completedOf = ids.ToDictionary(id => id, id =>
            CaseWorkflow.FromSettings(workflows.GetValueOrDefault(id)).Statuses.FirstOrDefault(s => s.Kind == StatusKind.Closed)?.Code ?? CaseWorkflow.Completed);
        var (first, last) = fiscalYear is { } fy ? JapanTime.FiscalYearRange(fy) : (DateOnly.MinValue, asOf);
        var pairs = new List<(Guid ProcedureId, int FiscalYear, DateOnly ReceivedOn, DateOnly ClosedOn, int Count, int WithDue, int Within)>();
        foreach (var group in completedOf.GroupBy(x => x.Value))
        {
            var code = group.Key;
            var these = group.Select(x => x.Key).ToList();
            var rows = await db.Cases.AsNoTracking()
                .Where(c => these.Contains(c.ProcedureId) && c.Status == code && c.ClosedOn != null
                            && c.ReceivedOn >= first && c.ReceivedOn <= last && c.ReceivedOn <= asOf)
                .GroupBy(c => new { c.ProcedureId, c.ReceivedOn, ClosedOn = c.ClosedOn!.Value })
                .Select(g => new
                {
                    g.Key.ProcedureId,
                    g.Key.ReceivedOn,
                    g.Key.ClosedOn,
                    Count = g.Count(),
                    WithDue = g.Count(c => c.DueOn != null),
                    Within = g.Count(c => c.DueOn != null && c.ClosedOn <= c.DueOn),
                })
                .ToListAsync(ct);
            pairs.AddRange(rows.Select(r => (r.ProcedureId, JapanTime.FiscalYearOf(r.ReceivedOn), r.ReceivedOn, r.ClosedOn, r.Count, r.WithDue, r.Within)));
        }
        var corrections = await (from r in db.CorrectionRequests.AsNoTracking()
                                 join c in db.Cases.AsNoTracking() on r.CaseId equals c.Id
                                 where ids.Contains(c.ProcedureId) && c.ReceivedOn >= first && c.ReceivedOn <= last && c.ReceivedOn <= asOf
                                 group r by new { c.ProcedureId, FiscalYear = c.ReceivedOn.Month >= 4 ? c.ReceivedOn.Year : c.ReceivedOn.Year - 1 } into g
                                 select new { g.Key.ProcedureId, g.Key.FiscalYear, Count = g.Count() })
            .ToDictionaryAsync(x => (x.ProcedureId, x.FiscalYear), x => x.Count, ct);
        var calendar = new BusinessCalendar(await db.Closures.AsNoTracking().ToListAsync(ct));
        var keys = pairs.Select(p => (p.ProcedureId, p.FiscalYear)).Concat(corrections.Keys).Distinct();
        foreach (var key in keys)
        {
            var mine = pairs.Where(p => p.ProcedureId == key.Item1 && p.FiscalYear == key.Item2).ToList();
            var days = mine.Select(p => (Days: calendar.BusinessDaysBetween(p.ReceivedOn, p.ClosedOn), p.Count)).OrderBy(d => d.Days).ToList();
            int completed = mine.Sum(p => p.Count), withDue = mine.Sum(p => p.WithDue), within = mine.Sum(p => p.Within);
            result[key] = new ProcessingFigures(completed, Median(days), withDue, within, Percent.Of(within, withDue, mode), corrections.GetValueOrDefault(key));
        }
        return result;
    }

    /// <summary>The median of counted values given in ascending order; the mean of the two middle ones for an even count; null for none.</summary>
    public static decimal? Median(IReadOnlyList<(int Value, int Count)> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        long n = sorted.Sum(x => (long)x.Count);
        if (n == 0) return null;
        int? At(long index)
        {
            long seen = 0;
            foreach (var (value, count) in sorted)
            {
                seen += count;
                if (index < seen) return value;
            }
            return null;
        }
        var low = At((n - 1) / 2)!.Value;
        var high = At(n / 2)!.Value;
        return (low + high) / 2m;
    }
}
