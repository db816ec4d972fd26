using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// Chooses, renames and orders a ledger's columns. Every button posts the whole list (headings as
/// typed included) and the page saves it, so it works without JavaScript: 上へ/下へ move a column,
/// 外す removes it, 追加 appends a field of the procedure's forms.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class LedgerColumnsModel(MadoguchiDbContext db, StaffScope scope, AuditTrail audit, TimeProvider clock) : PageModel
{
    public const string AuditAction = "ledger.columns-changed";

    public sealed record ColumnInput
    {
        public string Source { get; init; } = "";
        public string Label { get; init; } = "";
    }

    [BindProperty] public List<ColumnInput> Columns { get; set; } = [];
    /// <summary>save, reset, add, or up-N / down-N / remove-N for the column at index N.</summary>
    [BindProperty] public string? Command { get; set; }
    [BindProperty] public string? AddSource { get; set; }
    [TempData] public string? Notice { get; set; }

    public LedgerProcedure Procedure { get; private set; } = null!;

    public IEnumerable<SelectListItem> AddItems => Procedure.Choices.Where(c => Columns.All(x => x.Source != c.Source))
        .Select(c => new SelectListItem($"{c.Label}（{c.Origin}）", c.Source));

    /// <summary>Where a column's value comes from, in words.</summary>
    public string Origin(string source) => Procedure.Choices.FirstOrDefault(c => c.Source == source) is { } c ? $"{c.Origin}: {c.Label}" : source;

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
    {
        if (await LedgerSource.LoadAsync(db, scope, User, procedureId, ct) is not { } procedure) return NotFound();
        Procedure = procedure;
        Columns = procedure.Columns.Select(c => new ColumnInput { Source = c.Source, Label = c.Label }).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid procedureId, CancellationToken ct)
    {
        if (await LedgerSource.LoadAsync(db, scope, User, procedureId, ct) is not { } procedure) return NotFound();
        Procedure = procedure;
        var list = Columns.Select(c => new LedgerColumn(c.Source ?? "", (c.Label ?? "").Trim())).ToList();
        var command = Command ?? "save";
        var dash = command.LastIndexOf('-');
        var index = dash > 0 && int.TryParse(command[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < list.Count ? n : -1;
        switch (dash > 0 ? command[..dash] : command)
        {
            case "up" when index > 0:
                (list[index - 1], list[index]) = (list[index], list[index - 1]);
                break;
            case "down" when index >= 0 && index < list.Count - 1:
                (list[index + 1], list[index]) = (list[index], list[index + 1]);
                break;
            case "remove" when index >= 0:
                list.RemoveAt(index);
                break;
            case "add" when !string.IsNullOrEmpty(AddSource):
                var label = procedure.Choices.FirstOrDefault(c => c.Source == AddSource)?.Label.Replace("（漢字）", "", StringComparison.Ordinal);
                list.Add(new LedgerColumn(AddSource, label ?? AddSource));
                break;
            case "add":
                ModelState.AddModelError(nameof(AddSource), "追加する項目を選んでください。");
                return Page();
            case "reset":
                await SaveAsync(procedureId, "", "標準の列に戻しました", ct);
                Notice = "台帳の列を標準に戻しました。";
                return Redirect($"/staff/ledger/{procedureId}/columns");
        }
        var errors = LedgerLayout.Check(list, procedure.Choices, procedure.Forms.Select(f => f.Definition));
        if (errors.Count > 0)
        {
            foreach (var e in errors) ModelState.AddModelError("", e);
            Columns = list.Where(c => procedure.Choices.Any(x => x.Source == c.Source)).Select(c => new ColumnInput { Source = c.Source, Label = c.Label }).ToList();
            return Page();
        }
        await SaveAsync(procedureId, LedgerLayout.ToJson(list), $"台帳の列 {list.Count}列: {string.Join("、", list.Select(c => c.Label))}", ct);
        Notice = "台帳の列を保存しました。";
        return Redirect($"/staff/ledger/{procedureId}/columns");
    }

    private async Task SaveAsync(Guid procedureId, string json, string detail, CancellationToken ct)
    {
        var settings = await db.LedgerSettings.FirstOrDefaultAsync(s => s.ProcedureId == procedureId, ct);
        if (settings is null)
        {
            settings = new LedgerSettings { ProcedureId = procedureId };
            db.LedgerSettings.Add(settings);
        }
        settings.ColumnsJson = json;
        settings.UpdatedAt = clock.GetUtcNow();
        // The audit entry saves the change with it.
        await audit.AppendAsync(new AuditEvent(AuditAction, "procedure", procedureId.ToString()) { DepartmentId = Procedure.DepartmentId, Detail = detail }, ct);
        LedgerSource.Forget(procedureId);
    }
}
