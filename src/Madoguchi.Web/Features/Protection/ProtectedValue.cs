using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Protection;

/// <summary>
/// One sensitive field of one record (個人番号, a bank account …), encrypted with the key ring that
/// lives outside the database. Only the owner and field names are searchable, never the value.
/// </summary>
public sealed class ProtectedValue
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The kind of record the value belongs to, e.g. "Submission".</summary>
    public required string OwnerType { get; set; }
    /// <summary>The owning record's id (opaque string).</summary>
    public required string OwnerId { get; set; }
    /// <summary>The field, e.g. "MyNumber".</summary>
    public required string Field { get; set; }
    /// <summary>The envelope of <see cref="FieldCipher"/> (version, key id, nonce, tag, ciphertext).</summary>
    public required byte[] Ciphertext { get; set; }
    /// <summary>The key id inside the envelope, repeated so that rotation finds old rows by index.</summary>
    public required string KeyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static void Configure(EntityTypeBuilder<ProtectedValue> e)
    {
        e.Property(x => x.OwnerType).HasMaxLength(64);
        e.Property(x => x.OwnerId).HasMaxLength(64);
        e.Property(x => x.Field).HasMaxLength(64);
        e.Property(x => x.KeyId).HasMaxLength(KeyRing.MaxKeyIdLength);
        e.HasIndex(x => new { x.OwnerType, x.OwnerId, x.Field }).IsUnique();
        e.HasIndex(x => x.KeyId);
    }
}

/// <summary>
/// The key check value of each key the database has used: the database knows which keys it needs
/// without holding any key material, so a missing or foreign key ring is refused at start.
/// </summary>
public sealed class ProtectionKey
{
    public required string Id { get; set; }
    public required string CheckValue { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static void Configure(EntityTypeBuilder<ProtectionKey> e)
    {
        e.Property(x => x.Id).HasMaxLength(KeyRing.MaxKeyIdLength).ValueGeneratedNever();
        e.Property(x => x.CheckValue).HasMaxLength(64);
    }
}
