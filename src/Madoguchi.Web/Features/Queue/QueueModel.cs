using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Queue;

/// <summary>係 of an office's counters (戸籍係, 住民記録係 …): groups services on the public page.</summary>
public sealed class QueueSection
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    public string Name { get; set; } = "";
    public string NameEn { get; set; } = "";
    /// <summary>A colour token (e.g. "blue"); the name is always shown with it.</summary>
    public string Colour { get; set; } = "blue";
    public int SortOrder { get; set; }

    internal static void Configure(EntityTypeBuilder<QueueSection> e)
    {
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.NameEn).HasMaxLength(100);
        e.Property(x => x.Colour).HasMaxLength(40);
        e.HasOne<Platform.Office>().WithMany().HasForeignKey(x => x.OfficeId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.OfficeId, x.Name }).IsUnique();
    }
}

/// <summary>受付内容: what a resident takes a ticket for, with its own number range and the steps of the visit.</summary>
public sealed class QueueService
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    public Guid SectionId { get; set; }
    public string Name { get; set; } = "";
    public string NameEn { get; set; } = "";
    /// <summary>やさしい日本語 (may carry ruby markup; a trusted constant of the office's setup).</summary>
    public string NameEasy { get; set; } = "";
    public int RangeFrom { get; set; }
    public int RangeTo { get; set; }
    /// <summary>The steps a visit goes through, separated by "|" (e.g. "受付|審査|会計|交付"); at least one.</summary>
    public string Steps { get; set; } = "受付";
    /// <summary>Residents may take a ticket from their phone (anonymous, rate limited), not only at the kiosk.</summary>
    public bool RemoteTickets { get; set; }
    public int SortOrder { get; set; }

    public IReadOnlyList<string> StepNames => Steps.Split('|', StringSplitOptions.RemoveEmptyEntries);

    internal static void Configure(EntityTypeBuilder<QueueService> e)
    {
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.NameEn).HasMaxLength(100);
        e.Property(x => x.NameEasy).HasMaxLength(400);
        e.Property(x => x.Steps).HasMaxLength(400);
        e.HasOne<QueueSection>().WithMany().HasForeignKey(x => x.SectionId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.OfficeId);
        e.Ignore(x => x.StepNames);
    }
}

/// <summary>窓口: where a member of staff calls tickets ("3番窓口").</summary>
public sealed class QueueCounter
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    /// <summary>What the lobby display announces: "3" → "3番窓口".</summary>
    public string Number { get; set; } = "";
    public string Name { get; set; } = "";
    public int SortOrder { get; set; }

    internal static void Configure(EntityTypeBuilder<QueueCounter> e)
    {
        e.ToTable("QueueCounters");
        e.Property(x => x.Number).HasMaxLength(20);
        e.Property(x => x.Name).HasMaxLength(100);
        e.HasOne<Platform.Office>().WithMany().HasForeignKey(x => x.OfficeId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.OfficeId, x.Number }).IsUnique();
    }
}

/// <summary>
/// Who sits at a counter on a Japan date and what they handle: the services (and optionally only some
/// steps, e.g. 会計). One row per counter and day; assigning again replaces it.
/// </summary>
public sealed class CounterShift
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CounterId { get; set; }
    public DateOnly Date { get; set; }
    public string UserId { get; set; } = "";
    /// <summary>Service ids, comma separated.</summary>
    public string ServiceIds { get; set; } = "";
    /// <summary>Step names, "|" separated; empty means every step of those services.</summary>
    public string Steps { get; set; } = "";
    public DateTimeOffset AssignedAt { get; set; }

    public IReadOnlyList<Guid> Services => ServiceIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
    public IReadOnlyList<string> StepNames => Steps.Split('|', StringSplitOptions.RemoveEmptyEntries);

    internal static void Configure(EntityTypeBuilder<CounterShift> e)
    {
        e.Property(x => x.UserId).HasMaxLength(450);
        e.Property(x => x.ServiceIds).HasMaxLength(4000);
        e.Property(x => x.Steps).HasMaxLength(400);
        e.HasIndex(x => new { x.CounterId, x.Date }).IsUnique();
        e.Ignore(x => x.Services);
        e.Ignore(x => x.StepNames);
    }
}

public enum TicketStatus { Waiting, Called, Held, NoShow, Done }

/// <summary>
/// A numbered ticket of one office and Japan date. The visit goes through its service's steps; the
/// arrival time stays the first one across steps and transfers, so the wait a resident really had is known.
/// </summary>
public sealed class Ticket
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    /// <summary>The Japan date the ticket belongs to: numbering restarts every Japan midnight.</summary>
    public DateOnly ServiceDate { get; set; }
    public int Number { get; set; }
    /// <summary>Issued from the office's overflow range because the service's own ran out.</summary>
    public bool Overflow { get; set; }
    public Guid ServiceId { get; set; }
    /// <summary>Index into the service's steps.</summary>
    public int Step { get; set; }
    public TicketStatus Status { get; set; }
    /// <summary>When the resident took the ticket; kept across steps and transfers.</summary>
    public DateTimeOffset ArrivedAt { get; set; }
    /// <summary>When it entered the current step's queue.</summary>
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? CalledAt { get; set; }
    /// <summary>The counter that has called it (while Called).</summary>
    public Guid? CounterId { get; set; }
    /// <summary>A no-show ticket goes back to the queue at this time (null: it does not return).</summary>
    public DateTimeOffset? ReturnsAt { get; set; }
    public int NoShows { get; set; }
    public bool Priority { get; set; }
    public string Language { get; set; } = "ja";
    /// <summary>Random, unguessable: the resident's live status page /queue/tickets/{token} and its QR code.</summary>
    public string StatusToken { get; set; } = "";
    /// <summary>Grows with every change: a claim is an UPDATE … WHERE Version = the one read.</summary>
    public int Version { get; set; }
    public string? KioskName { get; set; }

    internal static void Configure(EntityTypeBuilder<Ticket> e)
    {
        e.Property(x => x.Language).HasMaxLength(8);
        e.Property(x => x.StatusToken).HasMaxLength(64);
        e.Property(x => x.KioskName).HasMaxLength(100);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        e.HasIndex(x => new { x.OfficeId, x.ServiceDate, x.Number }).IsUnique();
        e.HasIndex(x => x.StatusToken).IsUnique();
        e.HasIndex(x => new { x.OfficeId, x.ServiceDate, x.Status });
        e.HasIndex(x => new { x.CounterId, x.Status });
    }
}

public enum TicketEventKind { Issued, Called, Recalled, Held, NoShow, Transferred, StepDone, Done }

/// <summary>What happened to a ticket and when: wait and service times are measured from these.</summary>
public sealed class TicketEvent
{
    public long Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid OfficeId { get; set; }
    public DateOnly ServiceDate { get; set; }
    public TicketEventKind Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid ServiceId { get; set; }
    public int Step { get; set; }
    public Guid? CounterId { get; set; }
    public string? UserId { get; set; }

    internal static void Configure(EntityTypeBuilder<TicketEvent> e)
    {
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.UserId).HasMaxLength(450);
        e.HasOne<Ticket>().WithMany().HasForeignKey(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.OfficeId, x.ServiceDate, x.Kind });
    }
}

/// <summary>A ticket machine of one office. Only the hash of its token is stored.</summary>
public sealed class KioskDevice
{
    public const string Prefix = "kiosk_";
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    internal static void Configure(EntityTypeBuilder<KioskDevice> e)
    {
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.TokenHash).HasMaxLength(64);
        e.HasOne<Platform.Office>().WithMany().HasForeignKey(x => x.OfficeId).OnDelete(DeleteBehavior.Cascade);
    }
}
