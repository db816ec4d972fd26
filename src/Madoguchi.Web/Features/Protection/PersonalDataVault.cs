using System.Text;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Protection;

/// <summary>What was read from the vault, for the audit trail (never the value itself).</summary>
/// <param name="Purpose">Why, as shown to an auditor: e.g. "画面表示", "CSV出力".</param>
public sealed record PersonalDataRead(string OwnerType, string OwnerId, string Field, string Purpose);

/// <summary>
/// The seam between the vault and the audit trail (DESIGN.md §4.3): called inside the vault's
/// transaction before a decrypted value is returned. An implementation writes its audit entry
/// through <paramref name="db"/> (SaveChanges) or throws — then the value is not returned.
/// </summary>
public interface IPersonalDataReadAudit
{
    Task RecordAsync(MadoguchiDbContext db, PersonalDataRead read, CancellationToken ct);
}

/// <summary>
/// Where sensitive fields live (docs/adr/0007): each value encrypted under the current key, bound to
/// its owner and field; every read goes through the audit seam in the same transaction.
/// </summary>
public sealed class PersonalDataVault(MadoguchiDbContext db, KeyRingStore keys, KeyRingGuard guard, IPersonalDataReadAudit audit, TimeProvider clock)
{
    public const int MaxNameLength = 64;

    /// <summary>Stores (or replaces) the value of a field.</summary>
    public async Task PutAsync(string ownerType, string ownerId, string field, string value, CancellationToken ct = default)
    {
        CheckNames(ownerType, ownerId, field);
        ArgumentNullException.ThrowIfNull(value);
        await guard.EnsureAsync(ct);
        var key = keys.Ring.Current;
        var envelope = FieldCipher.Encrypt(key, Encoding.UTF8.GetBytes(value), FieldCipher.Purpose(ownerType, ownerId, field));
        var row = await db.ProtectedValues.FirstOrDefaultAsync(x => x.OwnerType == ownerType && x.OwnerId == ownerId && x.Field == field, ct);
        if (row is null)
        {
            db.ProtectedValues.Add(new ProtectedValue
            {
                OwnerType = ownerType,
                OwnerId = ownerId,
                Field = field,
                Ciphertext = envelope,
                KeyId = key.Id,
                CreatedAt = clock.GetUtcNow(),
            });
        }
        else
        {
            row.Ciphertext = envelope;
            row.KeyId = key.Id;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The decrypted value, or null when none is stored. The read is recorded through
    /// <see cref="IPersonalDataReadAudit"/> in the same transaction first; if that fails, nothing is returned.
    /// Joins the caller's transaction when one is open (the caller commits), else opens its own.
    /// </summary>
    /// <exception cref="ProtectedDataException">The stored value fails authentication (never wrong data).</exception>
    public async Task<string?> GetAsync(string ownerType, string ownerId, string field, string purpose, CancellationToken ct = default)
    {
        CheckNames(ownerType, ownerId, field);
        await guard.EnsureAsync(ct);
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using (own)
        {
            var row = await db.ProtectedValues.AsNoTracking()
                .FirstOrDefaultAsync(x => x.OwnerType == ownerType && x.OwnerId == ownerId && x.Field == field, ct);
            if (row is null) return null;
            var plaintext = FieldCipher.Decrypt(keys.Find, row.Ciphertext, FieldCipher.Purpose(ownerType, ownerId, field));
            await audit.RecordAsync(db, new PersonalDataRead(ownerType, ownerId, field, purpose), ct);
            if (own is not null) await own.CommitAsync(ct);
            return Encoding.UTF8.GetString(plaintext);
        }
    }

    /// <summary>
    /// An encrypted row for a value, not yet added to any context: for writers that store it in their
    /// own transaction together with the record it belongs to (a submission and its 個人番号).
    /// </summary>
    public async Task<ProtectedValue> SealAsync(string ownerType, string ownerId, string field, string value, CancellationToken ct = default)
    {
        CheckNames(ownerType, ownerId, field);
        ArgumentNullException.ThrowIfNull(value);
        await guard.EnsureAsync(ct);
        var key = keys.Ring.Current;
        return new ProtectedValue
        {
            OwnerType = ownerType,
            OwnerId = ownerId,
            Field = field,
            Ciphertext = FieldCipher.Encrypt(key, Encoding.UTF8.GetBytes(value), FieldCipher.Purpose(ownerType, ownerId, field)),
            KeyId = key.Id,
            CreatedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Every stored field of a record, decrypted; each read is recorded like <see cref="GetAsync"/>.</summary>
    public async Task<Dictionary<string, string>> GetAllAsync(string ownerType, string ownerId, string purpose, CancellationToken ct = default)
    {
        var fields = await db.ProtectedValues.AsNoTracking().Where(x => x.OwnerType == ownerType && x.OwnerId == ownerId).Select(x => x.Field).ToListAsync(ct);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            if (await GetAsync(ownerType, ownerId, f, purpose, ct) is { } v) values[f] = v;
        }
        return values;
    }

    /// <summary>Whether a value is stored, without reading it (no audit entry needed).</summary>
    public Task<bool> ExistsAsync(string ownerType, string ownerId, string field, CancellationToken ct = default)
        => db.ProtectedValues.AnyAsync(x => x.OwnerType == ownerType && x.OwnerId == ownerId && x.Field == field, ct);

    public async Task<bool> DeleteAsync(string ownerType, string ownerId, string field, CancellationToken ct = default)
        => await db.ProtectedValues.Where(x => x.OwnerType == ownerType && x.OwnerId == ownerId && x.Field == field).ExecuteDeleteAsync(ct) > 0;

    /// <summary>Deletes every field of a record (retention, erasure).</summary>
    public Task<int> DeleteOwnerAsync(string ownerType, string ownerId, CancellationToken ct = default)
        => db.ProtectedValues.Where(x => x.OwnerType == ownerType && x.OwnerId == ownerId).ExecuteDeleteAsync(ct);

    private static void CheckNames(params string[] names)
    {
        foreach (var n in names)
        {
            if (string.IsNullOrEmpty(n) || n.Length > MaxNameLength || n.Any(char.IsControl))
            {
                throw new ArgumentException($"保護項目の名前 '{n}' は 1〜{MaxNameLength} 文字で、制御文字を含めないでください。");
            }
        }
    }
}
