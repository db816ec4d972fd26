using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Platform;

public enum RoundingMode { HalfUp, Truncate }

/// <summary>The one municipality a database serves. A new database works before it is set.</summary>
public sealed class Municipality
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public string Name { get; set; } = "";
    /// <summary>全国地方公共団体コード, 6 digits with its check digit (江東区 = 131083).</summary>
    public string? Code { get; set; }
    public RoundingMode Rounding { get; set; } = RoundingMode.HalfUp;
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A 部/課/係 of the municipality. Procedures and staff belong to one.</summary>
public sealed class Department
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>部 (or 室, 委員会事務局): the top level.</summary>
    public string Bu { get; set; } = "";
    /// <summary>課; empty for a department that is only a 部.</summary>
    public string Ka { get; set; } = "";
    /// <summary>係; empty when the procedure belongs to the whole 課.</summary>
    public string Kakari { get; set; } = "";

    public string DisplayName => string.Join(" ", new[] { Bu, Ka, Kakari }.Where(s => s.Length > 0));

    internal static void Configure(EntityTypeBuilder<Department> e)
    {
        e.Property(x => x.Bu).HasMaxLength(100);
        e.Property(x => x.Ka).HasMaxLength(100);
        e.Property(x => x.Kakari).HasMaxLength(100);
        e.HasIndex(x => new { x.Bu, x.Ka, x.Kakari }).IsUnique();
        e.Ignore(x => x.DisplayName);
    }
}

public enum OfficeKind { MainOffice, Branch, Other }

/// <summary>本庁舎 or 出張所 where residents can go.</summary>
public sealed class Office
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string NameEn { get; set; } = "";
    public OfficeKind Kind { get; set; }
    public string Address { get; set; } = "";
    public string Phone { get; set; } = "";
    /// <summary>Opening hours in words, e.g. "8:30–17:00 (土日祝・年末年始を除く)".</summary>
    public string Hours { get; set; } = "";
    public int SortOrder { get; set; }
    /// <summary>Tickets are issued at any hour and on closed days (demo offices, 24-hour kiosks); otherwise only in opening hours.</summary>
    public bool TicketsAnyHour { get; set; }
    /// <summary>Japan time when the counters open and close on a business day (tickets are issued in between).</summary>
    public TimeOnly OpensAt { get; set; } = new(8, 30);
    public TimeOnly ClosesAt { get; set; } = new(17, 0);
    /// <summary>Numbers used when a service's own range runs out (e.g. 9000–9999); null when there is none.</summary>
    public int? OverflowFrom { get; set; }
    public int? OverflowTo { get; set; }

    internal static void Configure(EntityTypeBuilder<Office> e)
    {
        e.Property(x => x.Name).HasMaxLength(100);
        e.HasIndex(x => x.Name).IsUnique();
        // Offices stored before the queue existed get the usual hours, not 0:00–0:00 (never open).
        e.Property(x => x.OpensAt).HasDefaultValue(new TimeOnly(8, 30)).HasSentinel(new TimeOnly(8, 30));
        e.Property(x => x.ClosesAt).HasDefaultValue(new TimeOnly(17, 0)).HasSentinel(new TimeOnly(17, 0));
    }
}

/// <summary>A day the municipality closes besides weekends, holidays and 12/29–1/3 (e.g. a system change).</summary>
public sealed class Closure
{
    public DateOnly Date { get; set; }
    public string Reason { get; set; } = "";

    internal static void Configure(EntityTypeBuilder<Closure> e) => e.HasKey(x => x.Date);
}
