using System.Globalization;
using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// Exports a ledger (all, the ledger's current filter, or the rows ticked on the ledger page) as XLSX (in the
/// procedure's template when one is uploaded), CSV UTF-8 with BOM or CSV cp932. Plain forms: the ledger page's
/// bulk form posts here with its ticked rows. A cp932 file with characters Shift_JIS lacks is not sent: the
/// report (case, column, character) comes first, with the written file held for a download anyway, or UTF-8/XLSX instead.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class LedgerExportModel(MadoguchiDbContext db, CaseService caseService, LedgerExportService exports, AuditTrail audit, TimeProvider clock) : PageModel
{
    /// <summary>Ticked rows at most (a few pages' worth); larger sets are exported by filter.</summary>
    public const int MaxSelected = 1_000;

    public sealed record ExportInput
    {
        public List<Guid> Ids { get; init; } = [];
        /// <summary>all, filter or selected.</summary>
        public string? Scope { get; init; }
        /// <summary>xlsx, csv or csv-cp932.</summary>
        public string? Format { get; init; }
    }

    [BindProperty] public ExportInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public LedgerFilter Filter { get; set; } = new();

    public LedgerProcedure Procedure { get; private set; } = null!;
    public bool HasTemplate { get; private set; }
    /// <summary>Set when a cp932 export replaced characters: the report shown before any download.</summary>
    public LedgerExportResult? Report { get; private set; }
    public string? HeldToken { get; private set; }

    public bool Filtered => Filter != new LedgerFilter() && Filter != new LedgerFilter { Sort = Filter.Sort };

    /// <summary>The ledger's filter as a query string (for the forms that post again and the way back).</summary>
    public string FilterQuery()
        => string.Join("&", Request.Query.Where(kv => kv.Key.StartsWith("Filter.", StringComparison.Ordinal))
            .SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}")));

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
        => await LoadAsync(procedureId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        var format = LedgerExportSource.ParseFormat(Input.Format);
        if (format is null) ModelState.AddModelError("Input.Format", "ファイルの形式を選んでください（Excel、CSV UTF-8、CSV Shift_JIS）。");
        ExportScope? exportScope = Input.Scope switch { "all" => ExportScope.All, "filter" => ExportScope.Filter, "selected" => ExportScope.Selected, _ => null };
        if (exportScope is null) ModelState.AddModelError("Input.Scope", "出力する範囲（すべて・絞り込み条件・選んだ行）を選んでください。");
        var ids = Input.Ids.Distinct().ToList();
        if (exportScope == ExportScope.Selected && ids.Count == 0) ModelState.AddModelError("Input.Scope", "選んだ行がありません。台帳の一覧でチェックボックスを選んでから出力してください。");
        if (ids.Count > MaxSelected) ModelState.AddModelError("Input.Scope", $"選んだ行が多すぎます（{ids.Count:N0}件）。{MaxSelected:N0}件までにするか、絞り込み条件で出力してください。");
        var (from, to, errors) = LedgerQuery.Dates(Filter);
        if (exportScope == ExportScope.Filter) foreach (var (field, message) in errors) ModelState.AddModelError(field, message);
        if (format is null || exportScope is null || !ModelState.IsValid) return Page();

        var cases = exportScope switch
        {
            ExportScope.Filter => LedgerQuery.Where(_cases, Filter, User.FindFirstValue(ClaimTypes.NameIdentifier), JapanTime.Today(clock), from, to),
            ExportScope.Selected => _cases.Where(c => ids.Contains(c.Id)),
            _ => _cases,
        };
        LedgerExportResult result;
        try
        {
            result = await exports.ExportAsync(Procedure, cases, Filter.SortOrder, format.Value, LedgerExportService.Describe(exportScope.Value, Filter, ids.Count), ct);
        }
        catch (Exception e) when (e is InvalidOperationException or TemplateRefusedException)
        {
            // Excel's row limit, or a template that no longer reads: the message says what to do.
            ModelState.AddModelError("Input.Format", e.Message);
            return Page();
        }
        if (result.UnmappedCount > 0)
        {
            Report = result;
            HeldToken = await exports.HoldAsync(result, User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", Procedure.Id, ct);
            return Page();
        }
        return Download(result.File.OpenRead(), result.File.ContentType, result.DownloadName);
    }

    /// <summary>The held cp932 file after its report was read: once, for the member of staff who exported it.</summary>
    public async Task<IActionResult> OnGetHeldAsync(Guid procedureId, string? token, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        var held = await exports.TakeHeldAsync(token ?? "", User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", Procedure.Id, ct);
        if (held is not { } h) return NotFound();
        try
        {
            await audit.AppendAsync(new AuditEvent(AuditActions.LedgerExported, "procedure", Procedure.Id.ToString())
            {
                DepartmentId = Procedure.DepartmentId,
                Detail = string.Create(CultureInfo.InvariantCulture, $"format=CsvCp932 downloaded after the report, replaced={h.Replaced}"),
            }, ct);
        }
        catch
        {
            await h.Content.DisposeAsync();
            throw;
        }
        return Download(h.Content, h.ContentType, h.DownloadName);
    }

    private FileStreamResult Download(Stream content, string contentType, string name)
    {
        // A file name makes it Content-Disposition: attachment with an RFC 5987 filename* for the Japanese name.
        return File(content, contentType, name);
    }

    /// <summary>The procedure's cases, once the department is checked (<see cref="LoadAsync"/>).</summary>
    private IQueryable<Case> _cases = null!;

    /// <summary>The one visibility check for a ledger's cases (CaseService), like the ledger page itself; then the layout.</summary>
    private async Task<bool> LoadAsync(Guid procedureId, CancellationToken ct)
    {
        if (await caseService.VisibleAsync(User, procedureId, ct) is not { } cases) return false;
        _cases = cases;
        Procedure = await LedgerSource.LoadAsync(db, procedureId, ct);
        HasTemplate = await exports.HasTemplateAsync(procedureId, ct);
        return true;
    }
}
