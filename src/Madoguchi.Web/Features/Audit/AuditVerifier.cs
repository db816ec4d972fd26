using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Audit;

public enum AuditDamage { Edited, Missing, Reordered, Truncated }

/// <summary>The outcome of a verification: <see cref="Damage"/> is null when the chain is intact.</summary>
public sealed record AuditVerification(long Count, string LastHash, int CheckpointsChecked, long? BadSequence, AuditDamage? Damage, string Message)
{
    public bool Ok => Damage is null;
}

/// <summary>
/// Walks the chain in sequence order and recomputes every hash; then compares each checkpoint kept
/// outside the database. Reports the first damage: an edited entry (its hash no longer matches its
/// fields, or the next entry's link), a missing one (a gap), one moved to another position, or a
/// chain shorter than a checkpoint says (truncated).
/// </summary>
public static class AuditVerifier
{
    public static async Task<AuditVerification> VerifyAsync(MadoguchiDbContext db, IReadOnlyList<AuditCheckpoint> checkpoints, CancellationToken ct = default)
    {
        var wanted = checkpoints.Select(c => c.Count).ToHashSet();
        var hashAt = new Dictionary<long, string>();
        var max = await db.AuditEntries.MaxAsync(x => (long?)x.Sequence, ct) ?? 0;
        long expected = 1;
        var previous = AuditEntry.Genesis;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(x => x.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (e.Sequence > expected)
            {
                return Bad(expected, AuditDamage.Missing, $"番号 {expected} の記録がありません（{(e.Sequence - expected == 1 ? $"{expected}" : $"{expected}〜{e.Sequence - 1}")} が削除されています）。");
            }
            if (e.Sequence < expected)
            {
                return Bad(expected, AuditDamage.Edited, $"番号 {expected} の位置に番号 {e.Sequence} の記録があります（番号が書き換えられています）。");
            }
            if (e.ComputeHash() != e.Hash)
            {
                // The entry is intact but sits at another position: recognised by its own hash.
                for (long k = 1; k <= Math.Max(max, expected) + 1; k++)
                {
                    if (k != e.Sequence && e.ComputeHash(k) == e.Hash)
                    {
                        return Bad(e.Sequence, AuditDamage.Reordered, $"番号 {e.Sequence} の位置に、本来は番号 {k} の記録があります（順序が入れ替えられています）。");
                    }
                }
                return Bad(e.Sequence, AuditDamage.Edited, $"番号 {e.Sequence} の記録の内容がハッシュと一致しません（書き換えられています）。");
            }
            if (e.PreviousHash != previous)
            {
                return Bad(e.Sequence - 1 < 1 ? e.Sequence : e.Sequence - 1, AuditDamage.Edited,
                    $"番号 {e.Sequence} の記録が直前の記録のハッシュと一致しません（番号 {e.Sequence - 1} が書き換えられ、ハッシュも計算し直されています）。");
            }
            if (wanted.Contains(e.Sequence)) hashAt[e.Sequence] = e.Hash;
            previous = e.Hash;
            expected++;
        }
        var count = expected - 1;
        foreach (var c in checkpoints.OrderBy(c => c.Count))
        {
            if (c.Count > count)
            {
                return Bad(count + 1, AuditDamage.Truncated,
                    $"チェックポイント（{c.At:yyyy-MM-dd HH:mm:ss} UTC）では {c.Count} 件ありましたが、データベースには {count} 件しかありません（番号 {count + 1} 以降が失われています）。");
            }
            if (c.Count > 0 && hashAt[c.Count] != c.Hash)
            {
                return Bad(c.Count, AuditDamage.Edited,
                    $"番号 {c.Count} のハッシュがチェックポイント（{c.At:yyyy-MM-dd HH:mm:ss} UTC）と一致しません（記録が書き換えられ、チェーンが作り直されています）。");
            }
        }
        return new AuditVerification(count, previous, checkpoints.Count, null, null,
            $"OK: 監査ログ {count} 件のハッシュチェーンは正常です（最新ハッシュ {previous[..16]}…、チェックポイント {checkpoints.Count} 件と一致）。");

        AuditVerification Bad(long sequence, AuditDamage damage, string message)
            => new(expected - 1, previous, checkpoints.Count, sequence, damage, $"{DamageName(damage)}: {message}");
    }

    public static string DamageName(AuditDamage d) => d switch
    {
        AuditDamage.Edited => "edited（書き換え）",
        AuditDamage.Missing => "deleted（削除・欠落）",
        AuditDamage.Reordered => "reordered（順序の入れ替え）",
        _ => "truncated（チェックポイントより短い）",
    };
}
