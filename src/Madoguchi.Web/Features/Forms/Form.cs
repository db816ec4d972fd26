using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// A form of a procedure: its working definition (what the next publish will release) and its
/// published versions. Residents always get a version; the working definition is never shown.
/// </summary>
public sealed class Form
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Address of the form (/forms/{slug}); unique over all procedures.</summary>
    public string Slug { get; set; } = "";
    public Guid ProcedureId { get; set; }
    public Procedure? Procedure { get; set; }
    /// <summary>Japanese title of the working definition, for lists.</summary>
    public string Title { get; set; } = "";
    /// <summary>The working definition as canonical JSON (<see cref="FormJson"/>).</summary>
    public string WorkingJson { get; set; } = "";
    public string WorkingSha256 { get; set; } = "";
    /// <summary>Number of the newest published version; null until first published.</summary>
    public int? CurrentVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
    /// <summary>
    /// Set when staff stop new applications (unpublish): residents can no longer start or submit
    /// without a draft; drafts already started and submissions stay. Publishing again clears it.
    /// </summary>
    public DateTimeOffset? UnpublishedAt { get; set; }
    /// <summary>Field keys renamed or removed in the designer since publishing, as JSON (see Designer/KeyChanges).</summary>
    public string? DesignerKeyChanges { get; set; }

    public List<FormVersion> Versions { get; set; } = [];

    internal static void Configure(EntityTypeBuilder<Form> e)
    {
        e.Property(x => x.Slug).HasMaxLength(64);
        e.HasIndex(x => x.Slug).IsUnique();
        e.Property(x => x.Title).HasMaxLength(500);
        e.Property(x => x.WorkingSha256).HasMaxLength(64);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.HasIndex(x => x.ProcedureId);
        // A procedure with forms cannot be removed by an inventory import: residents may hold drafts on them.
        e.HasOne(x => x.Procedure).WithMany().HasForeignKey(x => x.ProcedureId).OnDelete(DeleteBehavior.Restrict);
        e.HasMany(x => x.Versions).WithOne().HasForeignKey(v => v.FormId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// A published version: the definition drafts and submissions are pinned to. Its properties are
/// init-only, so no code path can change a version once created; a new definition is a new number.
/// </summary>
public sealed class FormVersion
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid FormId { get; init; }
    /// <summary>1, 2, 3 … per form.</summary>
    public int Number { get; init; }
    /// <summary>Canonical JSON of the definition (<see cref="FormJson"/>).</summary>
    public string DefinitionJson { get; init; } = "";
    /// <summary>Lower-case hex SHA-256 of <see cref="DefinitionJson"/>'s UTF-8 bytes.</summary>
    public string Sha256 { get; init; } = "";
    public DateTimeOffset PublishedAt { get; init; }
    /// <summary>Staff e-mail, or "cli" / "demo".</summary>
    public string PublishedBy { get; init; } = "";

    internal static void Configure(EntityTypeBuilder<FormVersion> e)
    {
        e.HasIndex(x => new { x.FormId, x.Number }).IsUnique();
        e.Property(x => x.Sha256).HasMaxLength(64);
        e.Property(x => x.PublishedBy).HasMaxLength(256);
    }
}
