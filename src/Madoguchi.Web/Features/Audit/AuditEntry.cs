using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Audit;

/// <summary>
/// One entry of the append-only, hash-chained audit trail (DESIGN.md §4.10). Entries are written
/// only through <see cref="AuditTrail"/>; nothing updates or deletes them. The detail text never
/// holds personal data values (no names, addresses, numbers) — only what was done to which record.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>1, 2, 3 … without gaps: a gap is a deleted entry.</summary>
    public long Sequence { get; set; }
    /// <summary>UTC, whole milliseconds (both engines store that exactly).</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>A staff user id, "cli:&lt;os user&gt;", "system" or "anonymous".</summary>
    public string Actor { get; set; } = "";
    /// <summary>The actor's display name at the time, so the entry reads the same after a rename.</summary>
    public string ActorName { get; set; } = "";
    public string Action { get; set; } = "";
    public string TargetType { get; set; } = "";
    public string? TargetId { get; set; }
    public Guid? DepartmentId { get; set; }
    public string Detail { get; set; } = "";
    public string? ClientAddress { get; set; }
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";

    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.HasKey(x => x.Sequence);
        // The sequence is computed under the chain lock, never by the database.
        b.Property(x => x.Sequence).ValueGeneratedNever();
        b.Property(x => x.Actor).HasMaxLength(200);
        b.Property(x => x.ActorName).HasMaxLength(200);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.TargetType).HasMaxLength(64);
        b.Property(x => x.TargetId).HasMaxLength(200);
        b.Property(x => x.Detail).HasMaxLength(1000);
        b.Property(x => x.ClientAddress).HasMaxLength(64);
        b.Property(x => x.PreviousHash).HasMaxLength(64);
        b.Property(x => x.Hash).HasMaxLength(64);
        b.HasIndex(x => x.At);
        b.HasIndex(x => x.Actor);
        b.HasIndex(x => x.Action);
        b.HasIndex(x => new { x.TargetType, x.TargetId });
    }

    /// <summary>
    /// SHA-256 (lowercase hex) of the canonical serialisation (docs/adr/0008-audit-chain.md): the
    /// line "madoguchi-audit-v1", then each field in this order — sequence, instant, actor, actor
    /// name, action, target type, target id, department id, detail, client address, previous hash —
    /// as "&lt;UTF-8 byte length&gt;:&lt;value&gt;\n", or "-\n" for a missing value. Numbers are invariant
    /// decimal, the instant "yyyy-MM-ddTHH:mm:ss.fffZ", the department id a lowercase GUID with hyphens.
    /// Length prefixes make the encoding unambiguous whatever characters a value holds.
    /// </summary>
    public string ComputeHash() => ComputeHash(Sequence);

    /// <summary>The hash this entry would have at another position (how the verifier recognises a move).</summary>
    public string ComputeHash(long sequence)
    {
        var sb = new StringBuilder("madoguchi-audit-v1\n");
        Field(sb, sequence.ToString(CultureInfo.InvariantCulture));
        Field(sb, At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Field(sb, Actor);
        Field(sb, ActorName);
        Field(sb, Action);
        Field(sb, TargetType);
        Field(sb, TargetId);
        Field(sb, DepartmentId?.ToString("D"));
        Field(sb, Detail);
        Field(sb, ClientAddress);
        Field(sb, PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static void Field(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("-\n");
            return;
        }
        sb.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
    }

    /// <summary>An instant as stored: UTC, truncated to whole milliseconds.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }
}

/// <summary>The action codes; stable strings, since auditors search by them.</summary>
public static class AuditActions
{
    public const string SignIn = "staff.signin";
    public const string SignInFailed = "staff.signin.failed";
    public const string SignInLocked = "staff.signin.locked";
    public const string SecondFactor = "staff.second-factor";
    public const string SecondFactorFailed = "staff.second-factor.failed";
    public const string SecondFactorEnrolled = "staff.second-factor.enrolled";
    public const string SignOut = "staff.signout";
    public const string SignOutEverywhere = "staff.signout-everywhere";
    public const string UserCreated = "staff.user.created";
    public const string RoleGranted = "staff.role.granted";
    public const string PermissionGranted = "staff.permission.granted";
    public const string PermissionRevoked = "staff.permission.revoked";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string InventoryImported = "inventory.imported";
    public const string InventoryEdited = "inventory.edited";
    public const string InventoryPatched = "inventory.api-patched";
    public const string InventoryExported = "inventory.exported";
    public const string FormImported = "form.imported";
    public const string FormPublished = "form.published";
    public const string FormEdited = "form.edited";
    public const string FormUnpublished = "form.unpublished";
    public const string PersonalDataViewed = "personal-data.viewed";
    public const string AuditSearched = "audit.searched";
    public const string AuditExported = "audit.exported";
    /// <summary>A lottery form's winners drawn (seed in the detail).</summary>
    public const string FormDrawn = "form.drawn";
    public const string CaseStatusChanged = "case.status-changed";
    public const string CaseAssigned = "case.assigned";
    public const string CaseNoted = "case.noted";
    public const string CaseCorrectionRequested = "case.correction-requested";
    public const string CaseCorrected = "case.corrected";
    /// <summary>A paper application (窓口・郵送) keyed by staff: channel and 受付日 in the detail, the member of staff as actor.</summary>
    public const string CaseKeyed = "case.keyed";
    /// <summary>The channel or 受付日 of a paper application still being keyed changed (the draft as target; before → after in the detail).</summary>
    public const string CaseKeyingChanged = "case.keying-changed";
    /// <summary>A case deleted at the end of its retention period (ids and dates in the detail, no personal data).</summary>
    public const string CasePurged = "case.purged";
    public const string CaseHold = "case.legal-hold";
    /// <summary>A ledger written out as CSV or XLSX (format, rows, selection, cp932 replacements in the detail).</summary>
    public const string LedgerExported = "ledger.exported";
    public const string ExportTemplateUploaded = "export-template.uploaded";
    public const string ExportTemplateRemoved = "export-template.removed";
    /// <summary>A procedure's scheduled export set, changed or removed (time, format, cases, folder in the detail).</summary>
    public const string ExportScheduleSaved = "export-schedule.saved";
    public const string ExportScheduleRemoved = "export-schedule.removed";
    /// <summary>A procedure's webhook endpoint added, deactivated, or one delivery sent again by hand (再送).</summary>
    public const string WebhookCreated = "webhook.created";
    public const string WebhookDeactivated = "webhook.deactivated";
    public const string WebhookRedelivered = "webhook.redelivered";
    /// <summary>A procedure's ledger workflow changed or reset to the default (statuses in the detail, no personal data).</summary>
    public const string CaseWorkflowEdited = "case.workflow-edited";
    /// <summary>A procedure's notification templates edited (Features/Cases/Notifications).</summary>
    public const string CaseTemplatesEdited = "case.templates-edited";

    public static readonly string[] All =
    [
        SignIn, SignInFailed, SignInLocked, SecondFactor, SecondFactorFailed, SecondFactorEnrolled, SignOut, SignOutEverywhere,
        UserCreated, RoleGranted, PermissionGranted, PermissionRevoked, TokenCreated, TokenRevoked,
        InventoryImported, InventoryEdited, InventoryPatched, InventoryExported, FormImported, FormPublished, PersonalDataViewed, AuditSearched, AuditExported,
        FormDrawn,
        CaseStatusChanged, CaseAssigned, CaseNoted, CaseCorrectionRequested, CaseCorrected, CasePurged, CaseHold,
        CaseKeyed, CaseKeyingChanged,
        LedgerExported, ExportTemplateUploaded, ExportTemplateRemoved,
        ExportScheduleSaved, ExportScheduleRemoved,
        WebhookCreated, WebhookDeactivated, WebhookRedelivered,
        CaseWorkflowEdited,
        CaseTemplatesEdited,
    ];
}
