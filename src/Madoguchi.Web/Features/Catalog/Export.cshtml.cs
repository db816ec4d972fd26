using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog.Export;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>Download the inventory in the municipal or the national layout (no lock-in: open formats).</summary>
[Authorize(Policy = Policies.InventoryExport)]
public sealed class ExportModel(InventoryExporter exporter, Storage storage, TimeProvider clock, AuditTrail audit) : PageModel
{
    public sealed record InputModel
    {
        public ExportLayout Layout { get; init; } = ExportLayout.Municipal;
        public ExportFormat Format { get; init; } = ExportFormat.Xlsx;
        public int? VolumesFiscalYear { get; init; }
    }

    [BindProperty(SupportsGet = true)] public InputModel Input { get; set; } = new();
    public IReadOnlyList<UnencodableCharacter> Unencodable { get; private set; } = [];
    public int DefaultFiscalYear => Wareki.LastCompletedFiscalYear(clock);

    public void OnGet() { }

    /// <summary>A GET so the download link can be bookmarked; exporting changes nothing.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(CancellationToken ct)
    {
        if (Input.VolumesFiscalYear is < 1990 or > 2100)
        {
            ModelState.AddModelError("Input.VolumesFiscalYear", "件数の年度は 1990〜2100 の西暦で入力してください（例: 2024）");
            return Page();
        }
        // Written to a temporary file first: a cp932 export that fails must send nothing at all.
        var path = Path.Combine(storage.FilesPath("exports"), Guid.NewGuid().ToString("N"));
        var result = await exporter.ExportToFileAsync(path, Input.Layout, Input.Format, Input.VolumesFiscalYear, ct);
        if (!result.Written)
        {
            Unencodable = result.Unencodable;
            ModelState.AddModelError("Input.Format", $"Shift_JIS（cp932）にない文字が {result.Unencodable.Count} 個あるため出力できません。CSV（UTF-8）か Excel を選んでください");
            return Page();
        }
        await audit.AppendAsync(new AuditEvent(AuditActions.InventoryExported, "inventory", null)
        {
            Detail = $"layout={Input.Layout} format={Input.Format} volumesFiscalYear={Input.VolumesFiscalYear}",
        }, ct);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.DeleteOnClose);
        var stamp = JapanTime.Today(clock).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var name = $"inventory-{(Input.Layout == ExportLayout.National ? "national" : "municipal")}-{stamp}";
        return Input.Format switch
        {
            ExportFormat.Xlsx => File(stream, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx"),
            ExportFormat.CsvSjis => File(stream, "text/csv; charset=shift_jis", name + "-sjis.csv"),
            _ => File(stream, "text/csv; charset=utf-8", name + ".csv"),
        };
    }
}
