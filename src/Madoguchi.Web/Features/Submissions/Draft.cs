using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// A resident's unfinished application, kept on the server so nothing typed is lost: saved each time
/// a page is left, opened again from another device with the resume link or code, and purged when it
/// expires. Pinned to the form version it was started on.
/// </summary>
public sealed class Draft
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid FormId { get; set; }
    public Form? Form { get; set; }
    public Guid FormVersionId { get; set; }
    public int FormVersionNumber { get; set; }
    /// <summary>Answers given so far, normalised as <see cref="AnswerChecker"/> stores them.</summary>
    public string AnswersJson { get; set; } = "{}";
    public string Language { get; set; } = "ja";
    /// <summary>SHA-256 of the 128-bit secret in the resident's cookie and resume link.</summary>
    public string SecretHash { get; set; } = "";
    /// <summary>SHA-256 of the short resume code (for typing on another device); null until asked for.</summary>
    public string? ResumeCodeHash { get; set; }
    /// <summary>Key of the page the resident was on, to continue there.</summary>
    public string? CurrentPage { get; set; }
    /// <summary>
    /// Answer paths (JSON array) the resident is asked to fill again after the draft was moved to a newer
    /// form version: new required questions and answers the new rules refuse. Keys only, never values.
    /// </summary>
    public string? RefillPaths { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>When the draft and its attachments are purged (the form's draftExpiryDays after the last save).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>The signed-in resident (Features/Applicants: a hash of issuer and subject, never the raw identifier); null when started without sign-in.</summary>
    public string? ApplicantSubject { get; set; }
    /// <summary>Answers prefilled from the identity provider: field key → SHA-256 of the value given (tells whether the resident changed it).</summary>
    public string? PrefilledJson { get; set; }
    /// <summary>Random id of this draft's funnel events (Features/Funnel); unrelated to <see cref="Id"/> on purpose.</summary>
    public Guid FunnelId { get; set; } = Guid.NewGuid();
    /// <summary>
    /// The member of staff keying a paper application (窓口・郵送) into this draft (Features/Cases,
    /// docs/adr/0011); null for a resident's draft. Only they may open it, and it never enters the funnel.
    /// </summary>
    public string? KeyedById { get; set; }
    /// <summary>The channel of a staff-keyed draft: counter or mail (<c>CaseChannels.Code</c>).</summary>
    public string? KeyedChannel { get; set; }
    /// <summary>The date the paper application reached the municipality (郵送: postmark or arrival), which becomes the case's 受付日.</summary>
    public DateOnly? KeyedReceivedOn { get; set; }

    internal static void Configure(EntityTypeBuilder<Draft> e)
    {
        e.Property(x => x.ApplicantSubject).HasMaxLength(64);
        e.HasIndex(x => new { x.FormId, x.ApplicantSubject });
        e.Property(x => x.Language).HasMaxLength(8);
        e.Property(x => x.SecretHash).HasMaxLength(64);
        e.Property(x => x.ResumeCodeHash).HasMaxLength(64);
        e.HasIndex(x => x.ResumeCodeHash).IsUnique();
        e.Property(x => x.CurrentPage).HasMaxLength(64);
        e.HasIndex(x => x.ExpiresAt);
        e.Property(x => x.KeyedById).HasMaxLength(450);
        e.Property(x => x.KeyedChannel).HasMaxLength(8);
        e.HasIndex(x => x.KeyedById);
        e.HasOne(x => x.Form).WithMany().HasForeignKey(x => x.FormId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<FormVersion>().WithMany().HasForeignKey(x => x.FormVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// An uploaded file: first held by a draft, then by the submission made from it (in the same
/// transaction as the submission). Stored outside the web root under a generated name; the
/// resident's file name is kept only as text to show.
/// </summary>
public sealed class Attachment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? DraftId { get; set; }
    public Guid? SubmissionId { get; set; }
    /// <summary>The file field's key, with the group item when inside one (<c>family[1].certificate</c>).</summary>
    public string FieldKey { get; set; } = "";
    /// <summary>The type found from the content (FileKinds), never the name's or the browser's claim.</summary>
    public string Kind { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public string OriginalName { get; set; } = "";
    /// <summary>Path under the files folder: attachments/yyyy/MM/{id}.</summary>
    public string StoredPath { get; set; } = "";
    public DateTimeOffset UploadedAt { get; set; }

    internal static void Configure(EntityTypeBuilder<Attachment> e)
    {
        e.Property(x => x.FieldKey).HasMaxLength(200);
        e.Property(x => x.Kind).HasMaxLength(16);
        e.Property(x => x.Sha256).HasMaxLength(64);
        e.Property(x => x.OriginalName).HasMaxLength(260);
        e.Property(x => x.StoredPath).HasMaxLength(200);
        e.HasIndex(x => x.DraftId);
        e.HasIndex(x => x.SubmissionId);
        e.HasOne<Draft>().WithMany().HasForeignKey(x => x.DraftId).OnDelete(DeleteBehavior.SetNull);
        e.HasOne<Submission>().WithMany().HasForeignKey(x => x.SubmissionId).OnDelete(DeleteBehavior.Restrict);
    }
}
