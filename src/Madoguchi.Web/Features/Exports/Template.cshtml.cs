using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Files;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// A procedure's ledger template: upload the department's own workbook (checked: a real xlsx, size,
/// zip bomb, macros, the sheet, its headings), see what was detected, download or remove it.
/// Staff of the procedure's department only; another department's procedure answers 404.
/// </summary>
[Authorize(Policy = ExportPolicies.Templates)]
[RequestSizeLimit(UploadCeiling)]
[RequestFormLimits(MultipartBodyLengthLimit = UploadCeiling)]
public sealed class TemplateModel(MadoguchiDbContext db, StaffScope scope, AuditTrail audit, TimeProvider clock) : PageModel
{
    // Above the template limit so the page, not the server, says the file is too large.
    private const long UploadCeiling = 16L * 1024 * 1024;

    public sealed record InputModel
    {
        [StringLength(31, ErrorMessage = "シート名は31文字以内で入力してください（Excelの上限）")]
        public string? SheetName { get; init; }
        [Range(1, XlsxTemplate.MaxHeaderRows, ErrorMessage = "見出しの行数は1〜50の整数で入力してください")]
        public int? HeaderRows { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty] public IFormFile? Upload { get; set; }
    public Procedure Procedure { get; private set; } = default!;
    public ExportTemplate? Current { get; private set; }
    public XlsxTemplate? Parsed { get; private set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>The stored workbook as uploaded, as a download.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || Current is null) return NotFound();
        return File(Current.Content, FileKinds.ContentType(FileKinds.Xlsx), Current.FileName);
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "登録するExcelブック（.xlsx）を選んでください（空のファイルは登録できません）");
        }
        if (!ModelState.IsValid) return Page();

        var name = FileInspector.Display(Upload!.FileName);
        if (Upload.Length > ExportTemplate.MaxBytes)
        {
            ModelState.AddModelError(nameof(Upload), $"「{name}」は{FileInspector.Size(Upload.Length)}あり、上限の{FileInspector.Size(ExportTemplate.MaxBytes)}を超えています。データの行を消して、表題と見出しだけにしてください。");
            return Page();
        }
        using var buffer = new MemoryStream();
        await Upload.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        var inspection = FileInspector.Inspect(buffer, name, [FileKinds.Xlsx], ExportTemplate.MaxBytes);
        if (!inspection.Accepted)
        {
            ModelState.AddModelError(nameof(Upload), inspection.Message!.Ja);
            return Page();
        }
        var content = buffer.ToArray();
        XlsxTemplate parsed;
        try
        {
            parsed = XlsxTemplate.Load(content, Input.SheetName, Input.HeaderRows);
        }
        catch (TemplateRefusedException e)
        {
            ModelState.AddModelError(string.IsNullOrWhiteSpace(Input.SheetName) || !e.Message.StartsWith("シート「", StringComparison.Ordinal) ? nameof(Upload) : "Input.SheetName", e.Message);
            return Page();
        }

        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        // Uploading again replaces the template in place (one per procedure).
        var template = Current is null ? db.ExportTemplates.Add(new ExportTemplate { ProcedureId = Procedure.Id }).Entity : db.ExportTemplates.Attach(Current).Entity;
        template.FileName = name;
        template.SheetName = parsed.SheetName;
        template.HeaderRows = parsed.HeaderRows;
        template.Content = content;
        template.UploadedBy = user ?? User.Identity?.Name ?? "";
        template.UploadedAt = clock.GetUtcNow();
        // The template and its audit entry are saved together.
        await audit.AppendAsync(new AuditEvent(AuditActions.ExportTemplateUploaded, "procedure", Procedure.Id.ToString())
        {
            DepartmentId = Procedure.DepartmentId,
            Detail = $"file={name} sheet={parsed.SheetName} headerRows={parsed.HeaderRows} bytes={content.Length}",
        }, ct);
        Notice = $"「{name}」をテンプレートとして登録しました（シート「{parsed.SheetName}」、見出し {parsed.HeaderRows} 行）。";
        return Redirect($"/staff/inventory/{Procedure.Id}/export-template");
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Current is null) return Redirect($"/staff/inventory/{Procedure.Id}/export-template");
        db.ExportTemplates.Remove(db.ExportTemplates.Attach(Current).Entity);
        await audit.AppendAsync(new AuditEvent(AuditActions.ExportTemplateRemoved, "procedure", Procedure.Id.ToString())
        {
            DepartmentId = Procedure.DepartmentId,
            Detail = $"file={Current.FileName} sheet={Current.SheetName}",
        }, ct);
        Notice = $"テンプレート「{Current.FileName}」を削除しました。Excelの出力は標準の様式（見出し1行）に戻ります。";
        return Redirect($"/staff/inventory/{Procedure.Id}/export-template");
    }

    /// <summary>The column letter staff see in Excel (0 → A).</summary>
    public static string Column(int index) => XlsxWriter.Letters(index + 1)[index];

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        var procedure = await visible.AsNoTracking().Include(p => p.Department).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (procedure is null) return false;
        Procedure = procedure;
        Current = await db.ExportTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.ProcedureId == id, ct);
        if (Current is not null)
        {
            try
            {
                Parsed = Current.Open();
            }
            catch (TemplateRefusedException)
            {
                Parsed = null;
            }
        }
        return true;
    }
}
