using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Protection;

/// <summary>Adds keys, re-encrypts values under older keys in batches, retires unused keys.</summary>
public sealed partial class KeyRotation(MadoguchiDbContext db, KeyRingStore keys, KeyRingGuard guard, TimeProvider clock, ILogger<KeyRotation> log)
{
    public sealed record KeyStatus(string Id, bool Current, string CheckValue, DateTimeOffset Created, int Values);

    public sealed record Batch(int Reencrypted, int Skipped);

    /// <summary>Adds a new current key (ring file first, then the database's check value).</summary>
    public async Task<ProtectionKeyMaterial> RotateAsync(CancellationToken ct = default)
    {
        await guard.EnsureAsync(ct);
        var ring = keys.Reload().Rotate(clock.GetUtcNow());
        keys.Save(ring);
        var key = ring.Current;
        db.ProtectionKeys.Add(new ProtectionKey { Id = key.Id, CheckValue = key.CheckValue, CreatedAt = key.Created });
        await db.SaveChangesAsync(ct);
        Rotated(log, key.Id);
        return key;
    }

    /// <summary>Each key of the ring and how many values it still protects.</summary>
    public async Task<IReadOnlyList<KeyStatus>> StatusAsync(CancellationToken ct = default)
    {
        await guard.EnsureAsync(ct);
        var ring = keys.Reload();
        var counts = await db.ProtectedValues.GroupBy(x => x.KeyId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return [.. ring.Keys.Select(k => new KeyStatus(k.Id, k.Id == ring.CurrentId, k.CheckValue, k.Created, counts.GetValueOrDefault(k.Id)))];
    }

    /// <summary>
    /// Re-encrypts up to <paramref name="size"/> values under older keys in one transaction. A row
    /// changed meanwhile (a new value written) is skipped: its update requires the ciphertext read.
    /// </summary>
    /// <param name="seen">Rows skipped earlier in this run, not tried again; the skipped ones are added.</param>
    public async Task<Batch> ReencryptBatchAsync(int size, HashSet<Guid>? seen = null, CancellationToken ct = default)
    {
        await guard.EnsureAsync(ct);
        var current = keys.Reload().Current;
        seen ??= [];
        var tried = seen.ToList();
        var rows = await db.ProtectedValues.AsNoTracking()
            .Where(x => x.KeyId != current.Id && !tried.Contains(x.Id))
            .OrderBy(x => x.CreatedAt).Take(size).ToListAsync(ct);
        if (rows.Count == 0) return new Batch(0, 0);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        int done = 0, skipped = 0;
        foreach (var row in rows)
        {
            var purpose = FieldCipher.Purpose(row.OwnerType, row.OwnerId, row.Field);
            byte[] plaintext;
            try
            {
                plaintext = FieldCipher.Decrypt(keys.Find, row.Ciphertext, purpose);
            }
            catch (ProtectedDataException e)
            {
                throw new ProtectedDataException($"{row.OwnerType} {row.OwnerId} の {row.Field}（鍵 {row.KeyId}）: {e.Message}", e);
            }
            var envelope = FieldCipher.Encrypt(current, plaintext, purpose);
            var old = row.Ciphertext;
            var changed = await db.ProtectedValues.Where(x => x.Id == row.Id && x.Ciphertext == old)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Ciphertext, envelope).SetProperty(x => x.KeyId, current.Id), ct);
            if (changed == 1) done++;
            else skipped++;
            // Rows done drop out of the query by their new key id; only skipped ones must be remembered.
            if (changed == 0) seen.Add(row.Id);
        }
        await tx.CommitAsync(ct);
        return new Batch(done, skipped);
    }

    /// <summary>Batches until every value is under the current key (or changed meanwhile); returns how many were re-encrypted.</summary>
    public async Task<int> ReencryptAllAsync(int batchSize, Action<int>? progress = null, CancellationToken ct = default)
    {
        var total = 0;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var batch = await ReencryptBatchAsync(batchSize, seen, ct);
            if (batch.Reencrypted + batch.Skipped == 0) return total;
            total += batch.Reencrypted;
            progress?.Invoke(total);
        }
    }

    /// <summary>Removes an older key that no value uses any more (from the ring and the database).</summary>
    public async Task RetireAsync(string id, CancellationToken ct = default)
    {
        await guard.EnsureAsync(ct);
        var ring = keys.Reload();
        if (ring.Find(id) is null) throw new ArgumentException($"鍵 {id} は鍵リングにありません。keys status で id を確認してください。");
        if (id == ring.CurrentId) throw new ArgumentException($"鍵 {id} は現在の鍵なので削除できません。");
        var used = await db.ProtectedValues.CountAsync(x => x.KeyId == id, ct);
        if (used > 0) throw new ArgumentException($"鍵 {id} はまだ {used} 件の値を保護しています。先に `./madoguchi keys reencrypt` を実行してください。");
        await db.ProtectionKeys.Where(x => x.Id == id).ExecuteDeleteAsync(ct);
        keys.Save(ring.Without(id));
    }

    [LoggerMessage(LogLevel.Information, "Key {KeyId} is now the current key; older values are re-encrypted in the background")]
    private static partial void Rotated(ILogger log, string keyId);
}

/// <summary>
/// Re-encrypts values under older keys in the background, one batch (one transaction) at a time,
/// so that a rotation finishes without an operator and without a long lock.
/// </summary>
internal sealed partial class ReencryptionService(IServiceScopeFactory scopes, IConfiguration config, ILogger<ReencryptionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, config.GetValue("Madoguchi:Keys:ReencryptSeconds", 300)));
        var size = Math.Max(1, config.GetValue("Madoguchi:Keys:ReencryptBatch", 500));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var done = await scope.ServiceProvider.GetRequiredService<KeyRotation>().ReencryptAllAsync(size, ct: stoppingToken);
                if (done > 0) Reencrypted(log, done);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ProtectedDataException or KeyRingException or DbUpdateException or System.Data.Common.DbException)
            {
                Failed(log, e.Message);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Re-encrypted {Count} protected values under the current key")]
    private static partial void Reencrypted(ILogger log, int count);

    [LoggerMessage(LogLevel.Error, "Re-encryption stopped for now: {Message}")]
    private static partial void Failed(ILogger log, string message);
}
