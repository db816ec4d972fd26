using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Designer;

/// <summary>
/// One step of the designer's undo history: the working definition (and the pending key changes)
/// as they were before an edit. Only the newest <see cref="DesignerStore.HistoryLimit"/> are kept per form.
/// </summary>
public sealed class FormEdit
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid FormId { get; set; }
    /// <summary>1, 2, 3 … per form; undo takes the highest.</summary>
    public int Sequence { get; set; }
    /// <summary>What the edit did, in Japanese ("項目「氏名」を上へ移動"), shown next to the undo button.</summary>
    public string Summary { get; set; } = "";
    public string PreviousJson { get; set; } = "";
    public string PreviousSha256 { get; set; } = "";
    public string? PreviousKeyChanges { get; set; }
    public DateTimeOffset At { get; set; }
    public string By { get; set; } = "";

    internal static void Configure(EntityTypeBuilder<FormEdit> e)
    {
        e.HasIndex(x => new { x.FormId, x.Sequence }).IsUnique();
        e.Property(x => x.Summary).HasMaxLength(500);
        e.Property(x => x.PreviousSha256).HasMaxLength(64);
        e.Property(x => x.By).HasMaxLength(256);
        // History goes with its form; a form is never deleted today, but history must not block it.
        e.HasOne<Form>().WithMany().HasForeignKey(x => x.FormId).OnDelete(DeleteBehavior.Cascade);
    }
}
