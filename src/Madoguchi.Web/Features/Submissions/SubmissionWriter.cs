using System.Data.Common;
using System.Threading.Channels;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// What became of a submission: stored now, or the one stored earlier under the same idempotency key;
/// or not stored because its form has a newer current version than the one it was checked against.
/// </summary>
/// <remarks>
/// <see cref="Refused"/> is set when the form's intake limits (capacity, per person) left no place, and
/// <see cref="Stopped"/> when staff stopped new applications to the form; in both cases nothing was stored.
/// </remarks>
public sealed record SubmitOutcome(Submission Stored, bool Replayed, bool KeyReusedWithOtherAnswers, bool NotCurrent = false, Intake.IntakeRefusal? Refused = null, bool Stopped = false);

/// <summary>
/// Writes submissions with group commit: requests that arrive while a transaction is being made
/// durable wait for the next one, which then carries all of them — one fsync (SQLite
/// synchronous=FULL) or one commit (PostgreSQL) for many residents, instead of one each. A caller's
/// task completes only after the transaction holding its submission committed, so every
/// acknowledged receipt survives a crash. Idempotency keys are decided by the database's unique
/// index, so retries racing each other (also on other app instances) make one submission.
/// Rows go in through prepared commands (<see cref="PreparedInsert{T}"/>), not the change tracker:
/// the writer is the one serial stage every submission passes.
/// </summary>
public sealed class SubmissionWriter(IServiceScopeFactory scopes, ILogger<SubmissionWriter> log) : BackgroundService
{
    private const int MaxBatch = 512;

    private sealed record Pending(Submission Submission, bool RequireCurrent, bool RefuseIfStopped, TaskCompletionSource<SubmitOutcome> Done, CancellationToken Ct);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private PreparedInsert<Submission>? _submissions;
    private PreparedInsert<Protection.ProtectedValue>? _sealed;
    private Cases.CaseIntake? _cases;

    /// <param name="requireCurrent">Store only if the submission's version is still its form's current one (checked in the storing transaction).</param>
    /// <param name="refuseIfStopped">Store only if staff have not stopped new applications to the form (checked in the storing
    /// transaction); a draft started before the stop may still be sent.</param>
    public async Task<SubmitOutcome> SubmitAsync(Submission submission, bool requireCurrent, bool refuseIfStopped, CancellationToken ct)
    {
        var done = new TaskCompletionSource<SubmitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Pending(submission, requireCurrent, refuseIfStopped, done, ct), ct);
        // The caller may stop waiting (client gone), but the write itself is not cancelled halfway.
        return await done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p))
            {
                if (!p.Ct.IsCancellationRequested) batch.Add(p);
                else p.Done.TrySetCanceled(p.Ct);
            }
            if (batch.Count == 0) continue;
            try
            {
                await WriteBatchAsync(batch, stoppingToken);
            }
            catch (Exception failure) when (failure is DbUpdateException or DbException && batch.Count > 1)
            {
                // A key taken by another instance between our check and the insert: write one by one,
                // so only the duplicate learns of it.
                foreach (var p in batch)
                {
                    try { await WriteBatchAsync([p], stoppingToken); }
                    catch (Exception e) when (e is not OperationCanceledException) { Fail(p, e); }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                foreach (var p in batch) Fail(p, e);
            }
        }
    }

    private void Fail(Pending p, Exception e)
    {
        log.LogError(e, "Submission {Receipt} could not be stored", p.Submission.ReceiptNumber);
        p.Done.TrySetException(e);
    }

    private async Task WriteBatchAsync(IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        _submissions ??= new PreparedInsert<Submission>(db);
        _sealed ??= new PreparedInsert<Protection.ProtectedValue>(db);
        _cases ??= new Cases.CaseIntake(db, scope.ServiceProvider.GetRequiredService<Shared.Japanese.BusinessCalendarCache>());
        // On SQLite this is BEGIN IMMEDIATE: the checks below see no commit that could still come between them and the insert.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // Retries of one request may sit in the same batch: the first carries it, the others follow it.
        var keyed = batch.Where(p => p.Submission.IdempotencyKey is not null)
            .GroupBy(p => (p.Submission.FormId, p.Submission.IdempotencyKey)).ToList();
        var keys = keyed.Select(g => g.Key.IdempotencyKey!).Distinct().ToList();
        var formIds = keyed.Select(g => g.Key.FormId).Distinct().ToList();
        var existing = keys.Count == 0 ? [] : await db.Submissions.AsNoTracking()
            .Where(s => s.IdempotencyKey != null && keys.Contains(s.IdempotencyKey) && formIds.Contains(s.FormId))
            .ToListAsync(ct);

        var results = new List<(Pending P, Func<SubmitOutcome> Outcome)>();
        var refused = new Dictionary<Submission, Intake.IntakeRefusal>(ReferenceEqualityComparer.Instance);
        var candidates = new List<Pending>();
        foreach (var p in batch.Where(p => p.Submission.IdempotencyKey is null))
        {
            candidates.Add(p);
            results.Add((p, () => new SubmitOutcome(p.Submission, false, false, Refused: refused.GetValueOrDefault(p.Submission))));
        }
        foreach (var group in keyed)
        {
            var earlier = existing.FirstOrDefault(s => s.FormId == group.Key.FormId && s.IdempotencyKey == group.Key.IdempotencyKey);
            var first = group.First();
            var stored = earlier ?? first.Submission;
            if (earlier is null) candidates.Add(first);
            foreach (var p in group)
            {
                var replayed = !ReferenceEquals(p, first) || earlier is not null;
                var conflict = replayed && stored.RequestHash != p.Submission.RequestHash;
                // Retries of a refused request in the same batch learn the same refusal.
                results.Add((p, () => refused.TryGetValue(stored, out var no) ? new SubmitOutcome(stored, false, false, Refused: no) : new SubmitOutcome(stored, replayed, conflict)));
            }
        }

        // One read of the batch's forms in this transaction: a form whose new applications were stopped
        // takes none, and a version published since a submission's answers were checked (here or on
        // another instance) sends it back to be checked against the new one. The cases use the same read.
        var forms = await Cases.CaseIntake.FactsAsync(db, candidates.Select(p => p.Submission.FormId), ct);
        var stopped = candidates.Where(p => p.RefuseIfStopped && forms[p.Submission.FormId].Stopped).Select(p => p.Submission).ToHashSet();
        var stale = candidates.Where(p => p.RequireCurrent && !stopped.Contains(p.Submission) && forms[p.Submission.FormId].CurrentVersion != p.Submission.FormVersionNumber)
            .Select(p => p.Submission).ToHashSet();
        var toInsert = candidates.Select(p => p.Submission).Where(s => !stale.Contains(s) && !stopped.Contains(s)).ToList();

        // Places under intake limits are taken in the same transaction as the inserts: a refused
        // submission is left out of the batch instead of failing it, and a failed batch gives its places back.
        foreach (var s in toInsert.Where(s => s.Claim is not null).ToList())
        {
            if (await Intake.IntakeCounters.TryClaimAsync(db, s, s.Claim!, ct) is not { } no) continue;
            refused[s] = no;
            toInsert.Remove(s);
        }
        if (toInsert.Count > 0)
        {
            var drafts = toInsert.Where(s => s.FromDraftId is not null).ToDictionary(s => s.FromDraftId!.Value);
            var ids = drafts.Keys.ToList();
            var finished = ids.Count == 0 ? [] : await db.Drafts.Where(d => ids.Contains(d.Id)).ToListAsync(ct);
            // A signed-in resident's submission keeps who signed in (the draft goes); set before the row is written.
            foreach (var d in finished) drafts[d.Id].ApplicantSubject ??= d.ApplicantSubject;
            await _submissions.InsertAsync(db, toInsert, ct);
            await _sealed.InsertAsync(db, [.. toInsert.SelectMany(s => s.Sealed)], ct);
            // Each submission lands in its procedure's ledger in the same commit.
            await _cases.InsertAsync(db, toInsert, forms, scope.ServiceProvider.GetRequiredService<Webhooks.WebhookOutbox>(), ct);
            if (drafts.Count > 0)
            {
                foreach (var a in await db.Attachments.Where(a => a.DraftId != null && ids.Contains(a.DraftId.Value)).ToListAsync(ct))
                {
                    a.SubmissionId = drafts[a.DraftId!.Value].Id;
                    a.DraftId = null;
                }
                db.Drafts.RemoveRange(finished);
                Funnel.FunnelRecorder.Submitted(db, finished, drafts);
                // The draft's sealed answers now live under the submission.
                var owners = ids.Select(i => i.ToString()).ToList();
                db.ProtectedValues.RemoveRange(await db.ProtectedValues.Where(v => v.OwnerType == DraftService.DraftOwner && owners.Contains(v.OwnerId)).ToListAsync(ct));
                await db.SaveChangesAsync(ct);
            }
            await Cases.CaseIntake.AuditKeyedAsync(scope.ServiceProvider.GetRequiredService<Audit.AuditTrail>(), db, toInsert, forms, ct);
            await transaction.CommitAsync(ct); // one durable commit for the whole batch
        }
        foreach (var (p, outcome) in results)
        {
            // Retries that follow a submission sent back or refused go back with it.
            var o = outcome();
            p.Done.TrySetResult(
                stopped.Contains(o.Stored) ? new SubmitOutcome(p.Submission, false, false, Stopped: true)
                : stale.Contains(o.Stored) ? new SubmitOutcome(p.Submission, false, false, NotCurrent: true)
                : o);
        }
    }
}
