using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Exports;

/// <summary>Which cases a scheduled export writes.</summary>
public enum ScheduledCases
{
    All,
    /// <summary>Cases not yet closed (完了・却下・取下げ are left out).</summary>
    Open,
    /// <summary>Cases added to the ledger since the last successful run (by commit order, so a late-keyed case is not missed).</summary>
    SinceLastRun,
}

/// <summary>
/// A procedure's export that runs by itself every business day (the municipality's calendar) at a Japan
/// time, into a sub-folder of the operators' export root, for RPA and core-system batch imports. One per procedure.
/// </summary>
public sealed class ExportSchedule
{
    public const int MaxFolderLength = 100;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ProcedureId { get; set; }
    /// <summary>Minutes after midnight, Japan time (08:00 = 480).</summary>
    public int MinuteOfDay { get; set; }
    public ExportFormat Format { get; set; }
    public ScheduledCases Cases { get; set; }
    /// <summary>The sub-folder of the export root, as staff typed it (checked: relative, no "..").</summary>
    public string Folder { get; set; } = "";
    public bool Active { get; set; } = true;
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The business day whose run last succeeded (or the day the schedule was set, so it starts with the next run).</summary>
    public DateOnly? DoneOn { get; set; }
    /// <summary>The highest <see cref="Cases.Case.Sequence"/> a successful run wrote, for <see cref="ScheduledCases.SinceLastRun"/>.</summary>
    public long LastSequence { get; set; }
    /// <summary>After a failed run, not before this instant (the next poll after a pause), so a broken folder is not hammered.</summary>
    public DateTimeOffset? RetryAfter { get; set; }
    /// <summary>While an instance runs it, the schedule is leased to it (docs/adr/0013): no other instance runs it before this instant.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public Guid? LeaseToken { get; set; }

    public string TimeText => $"{MinuteOfDay / 60:00}:{MinuteOfDay % 60:00}";

    internal static void Configure(EntityTypeBuilder<ExportSchedule> e)
    {
        e.Property(x => x.Folder).HasMaxLength(MaxFolderLength);
        e.Property(x => x.UpdatedBy).HasMaxLength(200);
        e.Ignore(x => x.TimeText);
        e.HasOne<Procedure>().WithMany().HasForeignKey(x => x.ProcedureId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.ProcedureId).IsUnique();
    }
}

/// <summary>One run of a schedule, as the schedule page shows it: when, how many rows, which file, or what went wrong.</summary>
public sealed class ExportRun
{
    public const int MaxTextLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ScheduleId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    /// <summary>The business day the run was for.</summary>
    public DateOnly RunOn { get; set; }
    public long Rows { get; set; }
    /// <summary>The file's path under the export root; null when the run failed.</summary>
    public string? File { get; set; }
    public string? Error { get; set; }
    /// <summary>cp932: characters written as 〓 (the first ones listed in <see cref="Replacements"/>).</summary>
    public long Replaced { get; set; }
    public string? Replacements { get; set; }

    public bool Succeeded => Error is null;

    internal static void Configure(EntityTypeBuilder<ExportRun> e)
    {
        e.Property(x => x.File).HasMaxLength(500);
        e.Property(x => x.Error).HasMaxLength(MaxTextLength);
        e.Property(x => x.Replacements).HasMaxLength(MaxTextLength);
        e.Ignore(x => x.Succeeded);
        e.HasOne<ExportSchedule>().WithMany().HasForeignKey(x => x.ScheduleId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.ScheduleId, x.StartedAt });
    }
}
