using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Madoguchi.Web.Features.Cases;

/// <summary>How an application reached the municipality; what the online usage rate counts.</summary>
public enum CaseChannel { Online, Counter, Mail }

public static class CaseChannels
{
    /// <summary>The words of data and API: online, counter, mail.</summary>
    public static string Code(CaseChannel c) => c switch
    {
        CaseChannel.Counter => "counter",
        CaseChannel.Mail => "mail",
        _ => "online",
    };

    public static CaseChannel? Parse(string? code) => code switch
    {
        "online" => CaseChannel.Online,
        "counter" => CaseChannel.Counter,
        "mail" => CaseChannel.Mail,
        _ => null,
    };

    /// <summary>The words staff read: オンライン / 窓口 / 郵送.</summary>
    public static string Label(CaseChannel c) => c switch
    {
        CaseChannel.Counter => "窓口",
        CaseChannel.Mail => "郵送",
        _ => "オンライン",
    };

    internal static readonly ValueConverter<CaseChannel, string> Converter = new(c => Code(c), s => Parse(s) ?? CaseChannel.Online);
}

/// <summary>
/// An application in its procedure's ledger (台帳). Every submission becomes one, in the transaction
/// that stores it (the id is the submission's); paper, mail and counter applications keyed by staff
/// through the same form become one too, with their channel. The submission stays as it arrived;
/// the case carries the workflow: status, assignee, due date, corrected answers.
/// </summary>
public sealed class Case
{
    /// <summary>The submission's id: one case per submission.</summary>
    public Guid Id { get; set; }
    /// <summary>
    /// 1, 2, 3 … in the order cases were committed (<see cref="CaseIntake"/>): what API clients page by,
    /// so a client reading while cases arrive sees each exactly once, also across app instances.
    /// </summary>
    public long Sequence { get; set; }
    public Guid ProcedureId { get; set; }
    public Guid FormId { get; set; }
    /// <summary>The submission's 受付番号, kept here so the ledger lists and searches without a join.</summary>
    public string ReceiptNumber { get; set; } = "";
    public CaseChannel Channel { get; set; }
    /// <summary>A status code of the procedure's workflow (<see cref="CaseWorkflow"/>).</summary>
    public string Status { get; set; } = CaseWorkflow.Received;
    /// <summary>The member of staff handling the case; null while nobody is.</summary>
    public string? AssigneeId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>The Japan date of <see cref="ReceivedAt"/>: 標準処理期間 counts from it.</summary>
    public DateOnly ReceivedOn { get; set; }
    /// <summary>
    /// When the 標準処理期間 ends (<see cref="CaseClock"/>); null for procedures without one. Moves
    /// later by the business days the clock was stopped for a 補正.
    /// </summary>
    public DateOnly? DueOn { get; set; }
    /// <summary>Set while the clock is stopped (a 補正依頼 waits for the applicant): the day it stopped.</summary>
    public DateOnly? ClockStoppedOn { get; set; }
    /// <summary>When a member of staff first opened the case; null shows it as unread in the ledger.</summary>
    public DateTimeOffset? OpenedAt { get; set; }
    /// <summary>When the case reached a closed status (完了, 却下, 取下げ); null while open.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    public DateOnly? ClosedOn { get; set; }
    /// <summary>The answers after the applicant's corrections; null while they are the submission's own.</summary>
    public string? AnswersJson { get; set; }
    /// <summary>The non-sensitive answers as one normalised text (NFKC, lower case): what the ledger's text filter looks in.</summary>
    public string SearchText { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Under legal hold (訴訟・不服申立て等): never purged at the end of the retention period while set.</summary>
    public bool LegalHold { get; set; }
    public string LegalHoldReason { get; set; } = "";
    /// <summary>Bumped by every change: two members of staff changing the same case do not overwrite each other.</summary>
    public int Revision { get; set; }

    internal static void Configure(EntityTypeBuilder<Case> e)
    {
        e.ToTable("Cases");
        e.Property(x => x.Id).ValueGeneratedNever();
        e.Property(x => x.Channel).HasConversion(CaseChannels.Converter).HasMaxLength(8);
        e.Property(x => x.Status).HasMaxLength(40);
        e.Property(x => x.AssigneeId).HasMaxLength(450);
        e.Property(x => x.ReceiptNumber).HasMaxLength(20);
        e.Property(x => x.Revision).IsConcurrencyToken();
        e.Property(x => x.LegalHoldReason).HasMaxLength(200);
        e.HasOne<Submissions.Submission>().WithOne().HasForeignKey<Case>(x => x.Id).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Catalog.Procedure>().WithMany().HasForeignKey(x => x.ProcedureId).OnDelete(DeleteBehavior.Restrict);
        e.HasIndex(x => x.ReceiptNumber).IsUnique();
        e.HasIndex(x => x.Sequence).IsUnique();
        e.HasIndex(x => new { x.ProcedureId, x.Sequence });
        // The ledger pages newest first by (ReceivedAt, Id) within a procedure; filters narrow it.
        e.HasIndex(x => new { x.ProcedureId, x.ReceivedAt, x.Id });
        e.HasIndex(x => new { x.ProcedureId, x.Status, x.ReceivedAt });
        e.HasIndex(x => new { x.ProcedureId, x.AssigneeId, x.ReceivedAt });
        e.HasIndex(x => new { x.ProcedureId, x.DueOn });
    }
}

public static class CaseEventKinds
{
    public const string Created = "created";
    public const string Status = "status";
    public const string Assigned = "assigned";
    public const string Note = "note";
    public const string CorrectionRequested = "correction-requested";
    public const string Corrected = "corrected";
    public const string Hold = "hold";
    /// <summary>Unanswered 補正依頼 closed: replaced by a newer one, or withdrawn when staff moved the case on.</summary>
    public const string CorrectionClosed = "correction-closed";
}

/// <summary>
/// One line of a case's history: received, status changed, assigned, a note, a 補正 asked or
/// answered. Never updated. <see cref="Public"/> lines are the steps the applicant's status page shows.
/// </summary>
public sealed class CaseEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public DateTimeOffset At { get; set; }
    public string Kind { get; set; } = "";
    /// <summary>The member of staff who did it; null for the applicant or the system.</summary>
    public string? ActorId { get; set; }
    /// <summary>The name shown in the history (staff display name, 申請者, or システム) as it was then.</summary>
    public string ActorName { get; set; } = "";
    public string? FromStatus { get; set; }
    public string? ToStatus { get; set; }
    /// <summary>A note's text, a 補正 message, or the new assignee's name.</summary>
    public string Text { get; set; } = "";
    /// <summary>Shown to the applicant on the status page (internal notes and assignments never are).</summary>
    public bool Public { get; set; }

    internal static void Configure(EntityTypeBuilder<CaseEvent> e)
    {
        e.Property(x => x.Kind).HasMaxLength(40);
        e.Property(x => x.ActorId).HasMaxLength(450);
        e.Property(x => x.ActorName).HasMaxLength(200);
        e.Property(x => x.FromStatus).HasMaxLength(40);
        e.Property(x => x.ToStatus).HasMaxLength(40);
        e.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.CaseId, x.At });
    }
}

/// <summary>
/// A 補正依頼: the fields staff marked for correction and their message. The applicant opens it with
/// the secret e-mailed to them (only its hash is kept), corrects those fields and resubmits; the
/// answers before and after are both kept here.
/// </summary>
public sealed class CorrectionRequest
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public string RequestedById { get; set; } = "";
    /// <summary>Answer keys (top-level fields or groups) the applicant may change, as a JSON array.</summary>
    public string FieldsJson { get; set; } = "[]";
    public string Message { get; set; } = "";
    /// <summary>SHA-256 of the secret in the e-mailed link.</summary>
    public string SecretHash { get; set; } = "";
    public DateTimeOffset? AnsweredAt { get; set; }
    /// <summary>
    /// When the request was closed without an answer; its link then only says why (<see cref="ClosedReason"/>).
    /// Only the latest request of a case can be answered, and only while the case waits in the 補正 status.
    /// </summary>
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary><see cref="Superseded"/> or <see cref="Withdrawn"/>; null while open or once answered.</summary>
    public string? ClosedReason { get; set; }

    /// <summary>A newer 補正依頼 replaced it: the applicant is pointed to the latest e-mail.</summary>
    public const string Superseded = "superseded";
    /// <summary>Staff moved the case out of the 補正 status before an answer came.</summary>
    public const string Withdrawn = "withdrawn";

    public bool IsOpen => AnsweredAt is null && ClosedAt is null;
    /// <summary>The case's answers when the correction was asked for, and as the applicant resubmitted them.</summary>
    public string BeforeJson { get; set; } = "{}";
    public string? AfterJson { get; set; }

    internal static void Configure(EntityTypeBuilder<CorrectionRequest> e)
    {
        e.Property(x => x.RequestedById).HasMaxLength(450);
        e.Property(x => x.SecretHash).HasMaxLength(64);
        e.Property(x => x.ClosedReason).HasMaxLength(16);
        e.Ignore(x => x.IsOpen);
        e.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.CaseId);
        e.HasIndex(x => x.SecretHash).IsUnique();
    }
}

/// <summary>
/// How a procedure's ledger works: its workflow, its columns, its notification templates. A
/// procedure without a row uses the defaults (<see cref="CaseWorkflow.Default"/>, columns from its form).
/// </summary>
public sealed class LedgerSettings
{
    public Guid ProcedureId { get; set; }
    /// <summary>The workflow (<see cref="CaseWorkflow"/>) as JSON; empty for the default.</summary>
    public string WorkflowJson { get; set; } = "";
    /// <summary>The ledger's columns (form fields mapped to named, ordered columns) as JSON; empty for the default.</summary>
    public string ColumnsJson { get; set; } = "";
    /// <summary>Status-change notification templates per status and language as JSON; empty for the default texts.</summary>
    public string TemplatesJson { get; set; } = "";
    /// <summary>
    /// 保存年限 in years, counted like public records from the 1 April after the fiscal year in which a
    /// case was closed; null keeps cases for ever (永年).
    /// </summary>
    public int? RetentionYears { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    internal static void Configure(EntityTypeBuilder<LedgerSettings> e)
    {
        e.HasKey(x => x.ProcedureId);
        e.HasOne<Catalog.Procedure>().WithOne().HasForeignKey<LedgerSettings>(x => x.ProcedureId).OnDelete(DeleteBehavior.Cascade);
    }
}
