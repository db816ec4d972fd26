using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Queue.Waits;

/// <summary>
/// The wait estimate a ticket was shown when it was issued, and the wait it really had (arrival to its
/// first call), so the estimates' accuracy can be published (issue 10). One row per ticket.
/// </summary>
public sealed class WaitEstimate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TicketId { get; set; }
    public Guid OfficeId { get; set; }
    public Guid ServiceId { get; set; }
    public DateOnly ServiceDate { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    /// <summary>People waiting ahead of the ticket when it was issued.</summary>
    public int Ahead { get; set; }
    public int Low { get; set; }
    public int High { get; set; }
    /// <summary>No measured service times yet: the range came from the documented default, and said so.</summary>
    public bool IsDefault { get; set; }
    public DateTimeOffset? CalledAt { get; set; }
    /// <summary>Whole seconds from arrival to the first call; null until called.</summary>
    public int? WaitSeconds { get; set; }

    internal static void Configure(EntityTypeBuilder<WaitEstimate> e)
    {
        e.HasOne<Ticket>().WithMany().HasForeignKey(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.TicketId).IsUnique();
        e.HasIndex(x => new { x.OfficeId, x.ServiceDate });
    }
}

/// <summary>
/// "Your turn is near": one e-mail when <see cref="Threshold"/> or fewer people are ahead of the ticket
/// (or when it is called). The address itself lives encrypted in the personal-data vault
/// (owner <see cref="TurnAlerts.OwnerType"/>, this id) and is deleted once the mail is sent or the day is over.
/// </summary>
public sealed class TurnAlert
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TicketId { get; set; }
    public Guid OfficeId { get; set; }
    public DateOnly ServiceDate { get; set; }
    public int Threshold { get; set; }
    /// <summary>What the status page shows back ("h***@example.jp"): never the full address.</summary>
    public string MaskedEmail { get; set; } = "";
    public string Language { get; set; } = "ja";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Set by the one instance that claims the mail (conditional UPDATE … WHERE SentAt IS NULL).</summary>
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>How many times the resident set an address for this ticket (capped: no mail relay for others).</summary>
    public int Changes { get; set; }

    internal static void Configure(EntityTypeBuilder<TurnAlert> e)
    {
        e.Property(x => x.MaskedEmail).HasMaxLength(320);
        e.Property(x => x.Language).HasMaxLength(8);
        e.HasOne<Ticket>().WithMany().HasForeignKey(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.TicketId).IsUnique();
        e.HasIndex(x => new { x.OfficeId, x.ServiceDate, x.SentAt });
    }
}
