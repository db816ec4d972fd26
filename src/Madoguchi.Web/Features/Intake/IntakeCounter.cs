using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// How many applications a form (key "{form}:capacity") or one person on a form (key "{form}:{person
/// key}") has taken. Taken only grows by a conditional UPDATE … WHERE Taken &lt; limit in the
/// transaction that inserts the submission, so the database — not a count read beforehand — decides
/// who gets the last place, on SQLite (one writer) and PostgreSQL (row lock, re-checked after wait) alike.
/// </summary>
public sealed class IntakeCounter
{
    public string Key { get; set; } = "";
    public int Taken { get; set; }

    internal static void Configure(EntityTypeBuilder<IntakeCounter> e)
    {
        e.HasKey(x => x.Key);
        e.Property(x => x.Key).HasMaxLength(120);
    }

    public static string CapacityKey(Guid formId) => $"{formId:N}:capacity";

    public static string PersonKey(Guid formId, string personKey) => $"{formId:N}:{personKey}";
}

/// <summary>The limits a submission must fit in, checked by the <see cref="SubmissionWriter"/> in its transaction.</summary>
public sealed record IntakeClaim(int? PersonMax, string? PersonField, int? Capacity);

/// <summary>Takes places in the counters for a submission about to be inserted (same transaction).</summary>
public static class IntakeCounters
{
    /// <summary>Null when the submission fits (its places are taken), else why not (nothing taken).</summary>
    public static async Task<IntakeRefusal?> TryClaimAsync(MadoguchiDbContext db, Submission submission, IntakeClaim claim, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(claim);
        string? person = null;
        if (claim.PersonMax is int max && submission.PersonKey is { } key)
        {
            person = IntakeCounter.PersonKey(submission.FormId, key);
            if (!await TakeAsync(db, person, max, ct)) return IntakeRefusal.AlreadyApplied(claim.PersonField, max);
        }
        if (claim.Capacity is int capacity && !await TakeAsync(db, IntakeCounter.CapacityKey(submission.FormId), capacity, ct))
        {
            // The person's place was taken for an application that is not stored: give it back.
            if (person is not null) await db.IntakeCounters.Where(c => c.Key == person).ExecuteUpdateAsync(u => u.SetProperty(c => c.Taken, c => c.Taken - 1), ct);
            return IntakeRefusal.Full(capacity);
        }
        return null;
    }

    /// <summary>Places taken so far under a key (0 when none).</summary>
    public static Task<int> TakenAsync(MadoguchiDbContext db, string key, CancellationToken ct)
        => db.IntakeCounters.AsNoTracking().Where(c => c.Key == key).Select(c => c.Taken).FirstOrDefaultAsync(ct);

    private static async Task<bool> TakeAsync(MadoguchiDbContext db, string key, int limit, CancellationToken ct)
    {
        if (await IncrementAsync(db, key, limit, ct)) return true;
        // No row yet (first application of this person or form): create it; a concurrent creator wins harmlessly.
        await db.Database.ExecuteSqlAsync($"""INSERT INTO "IntakeCounters" ("Key", "Taken") VALUES ({key}, 0) ON CONFLICT ("Key") DO NOTHING""", ct);
        return await IncrementAsync(db, key, limit, ct);
    }

    private static async Task<bool> IncrementAsync(MadoguchiDbContext db, string key, int limit, CancellationToken ct)
        => await db.IntakeCounters.Where(c => c.Key == key && c.Taken < limit)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Taken, c => c.Taken + 1), ct) == 1;
}
