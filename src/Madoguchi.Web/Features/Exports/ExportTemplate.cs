using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// A procedure's ledger workbook as its department keeps it, used as the layout of XLSX exports.
/// One per procedure; uploading again replaces it. The file is kept in the database (it is small,
/// checked at upload, and so travels with every backup).
/// </summary>
public sealed class ExportTemplate
{
    public const long MaxBytes = 5L * 1024 * 1024;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ProcedureId { get; set; }
    public Procedure? Procedure { get; set; }
    /// <summary>The uploaded file's name, for display and the download (never used as a path).</summary>
    public string FileName { get; set; } = "";
    public string SheetName { get; set; } = "";
    public int HeaderRows { get; set; }
    public byte[] Content { get; set; } = [];
    public string UploadedBy { get; set; } = "";
    public DateTimeOffset UploadedAt { get; set; }

    /// <summary>The checked template, ready for <see cref="ExportWriter.WriteXlsxAsync"/>.</summary>
    public XlsxTemplate Open() => XlsxTemplate.Load(Content, SheetName, HeaderRows);

    public static void Configure(EntityTypeBuilder<ExportTemplate> e)
    {
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.ProcedureId).IsUnique();
        e.HasOne(x => x.Procedure).WithMany().HasForeignKey(x => x.ProcedureId).OnDelete(DeleteBehavior.Cascade);
        e.Property(x => x.FileName).HasMaxLength(255);
        // Excel's own limit for a sheet name.
        e.Property(x => x.SheetName).HasMaxLength(31);
        e.Property(x => x.UploadedBy).HasMaxLength(200);
    }
}
