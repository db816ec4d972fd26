using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// Cases of a procedure, fiscal year (of receipt) and channel that were purged at the end of their
/// retention period: the ledger's counts are the live cases plus these, so a past fiscal year's
/// online usage rate does not change when its cases are deleted (DESIGN.md §4.9).
/// </summary>
public sealed class CaseTally
{
    public Guid ProcedureId { get; set; }
    public int FiscalYear { get; set; }
    public CaseChannel Channel { get; set; }
    public int Purged { get; set; }

    internal static void Configure(EntityTypeBuilder<CaseTally> e)
    {
        e.HasKey(x => new { x.ProcedureId, x.FiscalYear, x.Channel });
        e.Property(x => x.Channel).HasConversion(CaseChannels.Converter).HasMaxLength(8);
    }
}

/// <summary>
/// 保存年限: deletes closed cases (with their submissions, history, corrections, sealed answers and
/// files) once their retention period is over, except those under legal hold. A case closed in fiscal
/// year F with a period of N years is kept until 31 March of F+1+N and purged from 1 April (Japan
/// time). Each purge writes an audit entry naming the case id, procedure and dates — no personal
/// data — and adds the case to <see cref="CaseTally"/> in the same transaction.
/// </summary>
public sealed class RetentionService(MadoguchiDbContext db, AuditTrail audit, TimeProvider clock, Storage storage, CaseService cases, ILogger<RetentionService> log)
{
    private const int Batch = 200;
    public const int MaxYears = 100;

    public sealed record Purged(Guid ProcedureId, string ProcedureCode, int Cases, int Files);

    /// <summary>The first day a case closed on <paramref name="closedOn"/> may be purged.</summary>
    public static DateOnly PurgeFrom(DateOnly closedOn, int years) => new(JapanTime.FiscalYearOf(closedOn) + 1 + years, 4, 1);

    /// <summary>Cases closed before this day have reached the end of a <paramref name="years"/>-year period by <paramref name="today"/>.</summary>
    public static DateOnly ClosedBefore(DateOnly today, int years) => new(JapanTime.FiscalYearOf(today) - years, 4, 1);

    /// <summary>Purges every procedure's expired cases; returns what went, per procedure.</summary>
    public async Task<IReadOnlyList<Purged>> RunAsync(CancellationToken ct)
    {
        var today = JapanTime.Today(clock);
        var settings = await (from s in db.LedgerSettings.AsNoTracking()
                              join p in db.Procedures.AsNoTracking() on s.ProcedureId equals p.Id
                              where s.RetentionYears != null
                              select new { s.ProcedureId, p.Code, p.DepartmentId, Years = s.RetentionYears!.Value }).ToListAsync(ct);
        var result = new List<Purged>();
        foreach (var s in settings)
        {
            var before = ClosedBefore(today, s.Years);
            int cases = 0, files = 0;
            while (true)
            {
                var (n, f) = await PurgeBatchAsync(s.ProcedureId, s.Code, s.DepartmentId, s.Years, before, ct);
                cases += n;
                files += f;
                if (n < Batch) break;
            }
            if (cases > 0)
            {
                log.LogInformation("Retention: purged {Cases} cases ({Files} files) of {Procedure}", cases, files, s.Code);
                result.Add(new Purged(s.ProcedureId, s.Code, cases, files));
            }
        }
        return result;
    }

    private async Task<(int Cases, int Files)> PurgeBatchAsync(Guid procedureId, string code, Guid? departmentId, int years, DateOnly closedBefore, CancellationToken ct)
    {
        List<string> paths;
        int count;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var due = await db.Cases.AsNoTracking()
                .Where(c => c.ProcedureId == procedureId && c.ClosedOn != null && c.ClosedOn < closedBefore && !c.LegalHold)
                .OrderBy(c => c.ClosedOn).ThenBy(c => c.Id).Take(Batch)
                .Select(c => new { c.Id, c.Channel, c.ReceivedOn, c.ClosedOn }).ToListAsync(ct);
            if (due.Count == 0) return (0, 0);
            var ids = due.Select(c => c.Id).ToList();

            foreach (var g in due.GroupBy(c => (JapanTime.FiscalYearOf(c.ReceivedOn), c.Channel)))
            {
                var tally = await db.CaseTallies.FindAsync([procedureId, g.Key.Item1, g.Key.Channel], ct);
                if (tally is null) db.CaseTallies.Add(tally = new CaseTally { ProcedureId = procedureId, FiscalYear = g.Key.Item1, Channel = g.Key.Channel });
                tally.Purged += g.Count();
            }
            paths = await db.Attachments.Where(a => a.SubmissionId != null && ids.Contains(a.SubmissionId.Value)).Select(a => a.StoredPath).ToListAsync(ct);
            var corrections = await db.CorrectionRequests.Where(r => ids.Contains(r.CaseId)).Select(r => r.Id).ToListAsync(ct);
            var owners = ids.Concat(corrections).Select(i => i.ToString()).ToList();
            await db.ProtectedValues.Where(v => owners.Contains(v.OwnerId)).ExecuteDeleteAsync(ct);
            await db.Attachments.Where(a => a.SubmissionId != null && ids.Contains(a.SubmissionId.Value)).ExecuteDeleteAsync(ct);
            await db.CorrectionRequests.Where(r => ids.Contains(r.CaseId)).ExecuteDeleteAsync(ct);
            await db.CaseEvents.Where(e => ids.Contains(e.CaseId)).ExecuteDeleteAsync(ct);
            await db.Cases.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(ct);
            await db.Submissions.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(ct);
            foreach (var c in due)
            {
                // Ids and dates only: what was purged can be proven without keeping what it said.
                await audit.AppendAsync(new AuditEvent(AuditActions.CasePurged, "case", c.Id.ToString())
                {
                    DepartmentId = departmentId,
                    Actor = AuditActor.System,
                    Detail = $"保存年限{years}年の満了により削除 手続 {code} 受付日 {c.ReceivedOn:yyyy-MM-dd} 完結日 {c.ClosedOn:yyyy-MM-dd} 経路 {CaseChannels.Code(c.Channel)}",
                }, ct);
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            count = due.Count;
        }
        // Files go after the commit: a failed transaction must not have lost them. A crash in between
        // leaves unreferenced files, never references to missing ones.
        foreach (var path in paths) AttachmentStore.DeleteFile(storage, path);
        return (count, paths.Count);
    }

    /// <summary>Sets or lifts a legal hold: the change is the case's, made by <see cref="CaseService.SetLegalHoldAsync"/>.</summary>
    public Task<CaseChange> HoldAsync(Case c, bool hold, string? reason, CaseActor actor, CancellationToken ct)
        => cases.SetLegalHoldAsync(c, hold, reason, actor, ct);
}

/// <summary>Runs the retention purge once a day after 2:00 Japan time (and once at start, catching up a missed night).</summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<RetentionJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RetentionService>().RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Retention purge failed; trying again at the next run");
            }
            var now = JapanTime.Now(clock);
            var next = new DateTimeOffset(now.Date.AddDays(1).AddHours(2), now.Offset);
            await Task.Delay(next - now, clock, stoppingToken);
        }
    }
}
