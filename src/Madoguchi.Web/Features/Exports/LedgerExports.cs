using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Exports;

public enum ExportFormat
{
    Xlsx,
    /// <summary>CSV, UTF-8 with BOM.</summary>
    Csv,
    /// <summary>CSV, Shift_JIS (cp932); missing characters become 〓 and are listed.</summary>
    CsvCp932,
}

/// <summary>What to export and why, for the file name and the audit entry. <paramref name="Selection"/> says e.g. "all", "filter: 状態=審査中" or "selected: 12".</summary>
public sealed record LedgerExportRequest(Guid ProcedureId, string ProcedureCode, ExportFormat Format, string Selection, bool UseTemplate = true);

/// <summary>
/// A finished export in the files folder. Send it with <see cref="OpenRead"/> (the file is deleted when
/// that stream closes) or show <see cref="Outcome"/>'s replacements first; <see cref="Dispose"/> removes it.
/// </summary>
public sealed class ExportFile(string path, string fileName, string contentType, ExportOutcome outcome) : IDisposable
{
    public string Path { get; } = path;
    public string FileName { get; } = fileName;
    public string ContentType { get; } = contentType;
    public ExportOutcome Outcome { get; } = outcome;

    public FileStream OpenRead() => new(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    public void Dispose()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }
}

/// <summary>
/// The entry point for the case ledger: writes rows (already mapped to the procedure's columns) as
/// the requested format — XLSX into the procedure's template when it has one — to a file, and
/// records the export in the audit trail. The ledger page then sends the file, or first shows the
/// characters a cp932 file could not hold (docs/adr/0010-ledger-exports.md).
/// </summary>
public sealed class LedgerExports(MadoguchiDbContext db, Storage storage, AuditTrail audit, TimeProvider clock)
{
    /// <summary>The procedure's template, or null when it has none.</summary>
    public async Task<ExportTemplate?> TemplateAsync(Guid procedureId, CancellationToken ct)
        => await db.ExportTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.ProcedureId == procedureId, ct);

    public async Task<ExportFile> WriteAsync(LedgerExportRequest request, IReadOnlyList<string> headings, IAsyncEnumerable<ExportCell[]> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var template = request.Format == ExportFormat.Xlsx && request.UseTemplate ? await TemplateAsync(request.ProcedureId, ct) : null;
        var path = System.IO.Path.Combine(storage.FilesPath("exports"), Guid.NewGuid().ToString("N"));
        ExportOutcome outcome;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                outcome = request.Format switch
                {
                    ExportFormat.Xlsx => await ExportWriter.WriteXlsxAsync(file, headings, rows, template?.Open(), ct),
                    ExportFormat.CsvCp932 => await ExportWriter.WriteCsvAsync(file, headings, rows, CsvEncoding.Cp932, ct),
                    _ => await ExportWriter.WriteCsvAsync(file, headings, rows, CsvEncoding.Utf8Bom, ct),
                };
            }
            var department = await db.Procedures.Where(p => p.Id == request.ProcedureId).Select(p => p.DepartmentId).FirstOrDefaultAsync(ct);
            await audit.AppendAsync(new AuditEvent(AuditActions.LedgerExported, "procedure", request.ProcedureId.ToString())
            {
                DepartmentId = department,
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"format={request.Format} rows={outcome.Rows} selection={request.Selection} template={(template is null ? "-" : template.FileName)} replaced={outcome.ReplacementCount}"),
            }, ct);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        var stamp = JapanTime.Now(clock).ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        var name = $"{request.ProcedureCode}-{stamp}";
        return request.Format switch
        {
            ExportFormat.Xlsx => new ExportFile(path, name + ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", outcome),
            ExportFormat.CsvCp932 => new ExportFile(path, name + "-sjis.csv", "text/csv; charset=shift_jis", outcome),
            _ => new ExportFile(path, name + ".csv", "text/csv; charset=utf-8", outcome),
        };
    }
}
