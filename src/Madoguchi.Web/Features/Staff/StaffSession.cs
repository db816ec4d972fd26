using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// A signed-in staff session held on the server: the cookie only names it, so signing out (or
/// "sign out everywhere") ends it for good and a replayed cookie is refused.
/// </summary>
public sealed class StaffSession
{
    /// <summary>Random, unguessable; a new one at every sign-in.</summary>
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    internal static void Configure(EntityTypeBuilder<StaffSession> e)
    {
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.UserId).HasMaxLength(450);
        e.HasOne<StaffUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(Microsoft.EntityFrameworkCore.DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.UserId, x.EndedAt });
    }
}

/// <summary>
/// A personal access token for the staff parts of /api/v1. Only a SHA-256 hash of its secret is
/// stored; the token itself is shown once.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>Scopes such as "inventory:read", comma-separated.</summary>
    public string Scopes { get; set; } = "";
    /// <summary>Hex SHA-256 of the 32-byte secret.</summary>
    public string SecretHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    internal static void Configure(EntityTypeBuilder<ApiToken> e)
    {
        e.Property(x => x.UserId).HasMaxLength(450);
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Scopes).HasMaxLength(500);
        e.Property(x => x.SecretHash).HasMaxLength(64);
        e.HasOne<StaffUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(Microsoft.EntityFrameworkCore.DeleteBehavior.Cascade);
        e.HasIndex(x => x.UserId);
    }
}
