using System.Threading.Channels;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>What became of a submission: stored now, or the one stored earlier under the same idempotency key.</summary>
/// <remarks><see cref="Refused"/> is set when the form's intake limits (capacity, per person) left no place; nothing was stored.</remarks>
public sealed record SubmitOutcome(Submission Stored, bool Replayed, bool KeyReusedWithOtherAnswers, Intake.IntakeRefusal? Refused = null);

/// <summary>
/// Writes submissions with group commit: requests that arrive while a transaction is being made
/// durable wait for the next one, which then carries all of them — one fsync (SQLite
/// synchronous=FULL) or one commit (PostgreSQL) for many residents, instead of one each. A caller's
/// task completes only after the transaction holding its submission committed, so every
/// acknowledged receipt survives a crash. Idempotency keys are decided by the database's unique
/// index, so retries racing each other (also on other app instances) make one submission.
/// </summary>
public sealed class SubmissionWriter(IServiceScopeFactory scopes, ILogger<SubmissionWriter> log) : BackgroundService
{
    private const int MaxBatch = 256;

    private sealed record Pending(Submission Submission, TaskCompletionSource<SubmitOutcome> Done, CancellationToken Ct);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public async Task<SubmitOutcome> SubmitAsync(Submission submission, CancellationToken ct)
    {
        var done = new TaskCompletionSource<SubmitOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Pending(submission, done, ct), ct);
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
            catch (DbUpdateException) when (batch.Count > 1)
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
        var toInsert = new List<Submission>();
        foreach (var p in batch.Where(p => p.Submission.IdempotencyKey is null))
        {
            toInsert.Add(p.Submission);
            results.Add((p, () => new SubmitOutcome(p.Submission, false, false, refused.GetValueOrDefault(p.Submission))));
        }
        foreach (var group in keyed)
        {
            var earlier = existing.FirstOrDefault(s => s.FormId == group.Key.FormId && s.IdempotencyKey == group.Key.IdempotencyKey);
            var first = group.First();
            var stored = earlier ?? first.Submission;
            if (earlier is null) toInsert.Add(first.Submission);
            foreach (var p in group)
            {
                var replayed = !ReferenceEquals(p, first) || earlier is not null;
                var conflict = replayed && stored.RequestHash != p.Submission.RequestHash;
                // Retries of a refused request in the same batch learn the same refusal.
                results.Add((p, () => refused.TryGetValue(stored, out var no) ? new SubmitOutcome(stored, false, false, no) : new SubmitOutcome(stored, replayed, conflict)));
            }
        }

        // Places under intake limits are taken in the same transaction as the inserts: a refused
        // submission is left out of the batch instead of failing it, and a failed batch gives its places back.
        await using var transaction = toInsert.Any(s => s.Claim is not null) ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var s in toInsert.Where(s => s.Claim is not null).ToList())
        {
            if (await Intake.IntakeCounters.TryClaimAsync(db, s, s.Claim!, ct) is not { } no) continue;
            refused[s] = no;
            toInsert.Remove(s);
        }
        if (toInsert.Count > 0)
        {
            db.Submissions.AddRange(toInsert);
            db.ProtectedValues.AddRange(toInsert.SelectMany(s => s.Sealed));
            var drafts = toInsert.Where(s => s.FromDraftId is not null).ToDictionary(s => s.FromDraftId!.Value);
            if (drafts.Count > 0)
            {
                var ids = drafts.Keys.ToList();
                foreach (var a in await db.Attachments.Where(a => a.DraftId != null && ids.Contains(a.DraftId.Value)).ToListAsync(ct))
                {
                    a.SubmissionId = drafts[a.DraftId!.Value].Id;
                    a.DraftId = null;
                }
                db.Drafts.RemoveRange(await db.Drafts.Where(d => ids.Contains(d.Id)).ToListAsync(ct));
                // The draft's sealed answers now live under the submission.
                var owners = ids.Select(i => i.ToString()).ToList();
                db.ProtectedValues.RemoveRange(await db.ProtectedValues.Where(v => v.OwnerType == DraftService.DraftOwner && owners.Contains(v.OwnerId)).ToListAsync(ct));
            }
            await db.SaveChangesAsync(ct); // one transaction, one durable commit for the whole batch
        }
        if (transaction is not null) await transaction.CommitAsync(ct);
        foreach (var (p, outcome) in results) p.Done.TrySetResult(outcome());
    }
}
