using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// 予約枠の計画: how many counters an office plans for a service in a time range on a weekday (or on
/// one date, which then replaces that weekday's rows), how long a visit takes and which share of those
/// counters' time is offered for booking. Slot capacities are computed from it, never typed.
/// </summary>
public sealed class StaffingPlan
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    public Guid ServiceId { get; set; }
    /// <summary>0 (Sunday) … 6 (Saturday), as <see cref="DayOfWeek"/>; null when <see cref="Date"/> is set.</summary>
    public int? Weekday { get; set; }
    /// <summary>A one-day plan (e.g. 4月1日 with more counters): replaces the weekday rows of that service on that date.</summary>
    public DateOnly? Date { get; set; }
    public TimeOnly From { get; set; }
    public TimeOnly To { get; set; }
    public int Counters { get; set; }
    public int MinutesPerVisit { get; set; }
    /// <summary>0–100: the share of the counters' time offered for booking; the rest stays for walk-ins.</summary>
    public int BookablePercent { get; set; }
    /// <summary>15 or 30.</summary>
    public int SlotMinutes { get; set; } = 30;

    internal static void Configure(EntityTypeBuilder<StaffingPlan> e)
    {
        e.HasOne<QueueService>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.OfficeId, x.ServiceId });
    }
}

/// <summary>
/// One bookable time of a service on a date, written when it is first booked. <see cref="Booked"/> is
/// the counter the database guards: a booking is <c>UPDATE … SET Booked = Booked + 1 WHERE Booked &lt; Capacity</c>.
/// </summary>
public sealed class ReservationSlot
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OfficeId { get; set; }
    public Guid ServiceId { get; set; }
    public DateOnly Date { get; set; }
    /// <summary>Japan time of day the slot starts.</summary>
    public TimeOnly Start { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public int Capacity { get; set; }
    public int Booked { get; set; }

    internal static void Configure(EntityTypeBuilder<ReservationSlot> e)
    {
        e.HasOne<QueueService>().WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.ServiceId, x.Date, x.Start }).IsUnique();
        e.HasIndex(x => new { x.OfficeId, x.Date });
    }
}

public enum ReservationStatus { Booked, CheckedIn, Cancelled, NoShow }

/// <summary>A resident's booking. The link's secret is stored only as its hash; the number is what the QR code carries.</summary>
public sealed class Reservation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>予約番号 "XXXX-XXXX-XXXX" (Crockford base32): shown, printed as the QR code, scanned at the kiosk.</summary>
    public string Number { get; set; } = "";
    public Guid SlotId { get; set; }
    public Guid OfficeId { get; set; }
    public Guid ServiceId { get; set; }
    public DateOnly Date { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Language { get; set; } = "ja";
    public string TokenHash { get; set; } = "";
    public ReservationStatus Status { get; set; }
    public DateTimeOffset BookedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset? CheckedInAt { get; set; }
    /// <summary>When a no-show was released (its place went back to walk-ins).</summary>
    public DateTimeOffset? ReleasedAt { get; set; }
    public Guid? TicketId { get; set; }
    /// <summary>Set by the one instance that claimed the reminder (conditional UPDATE), so it is sent once.</summary>
    public DateTimeOffset? ReminderSentAt { get; set; }

    internal static void Configure(EntityTypeBuilder<Reservation> e)
    {
        e.Property(x => x.Number).HasMaxLength(14);
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Email).HasMaxLength(254);
        e.Property(x => x.Language).HasMaxLength(8);
        e.Property(x => x.TokenHash).HasMaxLength(64);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        e.HasOne<ReservationSlot>().WithMany().HasForeignKey(x => x.SlotId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.Number).IsUnique();
        e.HasIndex(x => x.TokenHash).IsUnique();
        e.HasIndex(x => new { x.OfficeId, x.Date, x.Status });
        e.HasIndex(x => new { x.Status, x.StartsAt });
    }
}
