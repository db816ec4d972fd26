using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog.Import;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>
/// Upload → preview (what will be added, changed, left alone; every bad row) → confirm. The file
/// waits between the two steps in the database's files folder under a random name.
/// </summary>
[Authorize(Policy = Policies.InventoryWrite)]
// The web server's own limit sits above the configured import limit, so the page can say the sizes itself.
[RequestSizeLimit(UploadCeiling)]
[RequestFormLimits(MultipartBodyLengthLimit = UploadCeiling)]
public sealed class ImportModel(InventoryImporter importer, Storage storage, TimeProvider clock) : PageModel
{
    private const long UploadCeiling = 256L * 1024 * 1024;

    public sealed record InputModel
    {
        public bool Replace { get; init; }
        public int? VolumesFiscalYear { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty] public IFormFile? Upload { get; set; }
    /// <summary>Opaque name of the uploaded file kept for the confirm step.</summary>
    [BindProperty] public string? Token { get; set; }
    [BindProperty] public string? FileName { get; set; }

    [BindProperty(SupportsGet = true)] public int? Added { get; set; }
    [BindProperty(SupportsGet = true)] public int? Changed { get; set; }
    [BindProperty(SupportsGet = true)] public int? Unchanged { get; set; }
    [BindProperty(SupportsGet = true)] public int? Removed { get; set; }

    public ImportPlan? Plan { get; private set; }
    public string? Refused { get; private set; }
    public int DefaultFiscalYear => Shared.Japanese.Wareki.LastCompletedFiscalYear(clock);
    public long MaxBytes => importer.MaxBytes;
    public static string FormatSize(long bytes) => InventoryImporter.FormatBytes(bytes);

    public void OnGet() { }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "取り込むファイルを選んでください（空のファイルは取り込めません）");
            return Page();
        }
        if (!ValidYear()) return Page();
        try
        {
            importer.CheckSize(Upload.Length);
        }
        catch (ImportRefusedException e)
        {
            ModelState.AddModelError(nameof(Upload), e.Message);
            return Page();
        }
        RemoveStaleUploads();
        Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        FileName = Path.GetFileName(Upload.FileName);
        await using (var target = new FileStream(PathOf(Token), FileMode.CreateNew, FileAccess.Write))
        {
            await Upload.CopyToAsync(target, ct);
        }
        Plan = await importer.PlanAsync(PathOf(Token), Options(), ct);
        if (!Plan.IsValid) DeleteUpload(Token);
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(CancellationToken ct)
    {
        if (Token is null || Token.Length != 32 || !Token.All(char.IsAsciiHexDigitLower) || !System.IO.File.Exists(PathOf(Token)))
        {
            Refused = "確認中のファイルが見つかりません（時間が経ったか、既に取り込み済みです）。もう一度ファイルを選んでください。";
            return Page();
        }
        if (!ValidYear()) return Page();
        // The file is validated again: the inventory may have changed since the preview.
        Plan = await importer.ImportAsync(PathOf(Token), Options(), ct);
        if (!Plan.IsValid) return Page();
        DeleteUpload(Token);
        return RedirectToPage(new { added = Plan.Added.Count, changed = Plan.Changed.Count, unchanged = Plan.Unchanged.Count, removed = Plan.Removed.Count });
    }

    private bool ValidYear()
    {
        if (Input.VolumesFiscalYear is null or (>= 2000 and <= 2100)) return true;
        ModelState.AddModelError("Input.VolumesFiscalYear", "件数の年度は 2000〜2100 の西暦で入力してください（例: 2024）");
        return false;
    }

    private ImportOptions Options() => new()
    {
        FileName = string.IsNullOrWhiteSpace(FileName) ? "upload" : Path.GetFileName(FileName),
        Replace = Input.Replace,
        VolumesFiscalYear = Input.VolumesFiscalYear,
        Actor = User.Identity?.Name ?? "staff",
    };

    private string PathOf(string token) => Path.Combine(storage.FilesPath("imports"), token);

    private void DeleteUpload(string token)
    {
        try { System.IO.File.Delete(PathOf(token)); } catch (IOException) { }
    }

    /// <summary>Uploads never confirmed are removed after a day.</summary>
    private void RemoveStaleUploads()
    {
        var limit = clock.GetUtcNow().UtcDateTime.AddDays(-1);
        foreach (var f in new DirectoryInfo(storage.FilesPath("imports")).EnumerateFiles())
        {
            try
            {
                if (f.LastWriteTimeUtc < limit) f.Delete();
            }
            catch (IOException)
            {
            }
        }
    }
}
