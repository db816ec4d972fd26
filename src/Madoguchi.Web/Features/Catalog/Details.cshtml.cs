using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>One procedure with its volumes, life events and change history.</summary>
[Authorize(Policy = Policies.InventoryRead)]
public sealed class DetailsModel(MadoguchiDbContext db, StaffScope scope, MunicipalityService municipality) : PageModel
{
    public Procedure Procedure { get; private set; } = default!;
    public IReadOnlyList<ProcedureChange> History { get; private set; } = [];
    public Dictionary<string, string> Extra { get; private set; } = [];
    public bool CanWrite { get; private set; }
    public RoundingMode Rounding { get; private set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, [FromServices] IAuthorizationService auth, CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        // Another department's procedure answers 404, not 403, so ids cannot be probed.
        var p = await visible.AsNoTracking().Include(x => x.Department).Include(x => x.Volumes).Include(x => x.LifeEvents)
            .AsSplitQuery().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return NotFound();
        Procedure = p;
        History = await db.ProcedureChanges.AsNoTracking().Where(c => c.ProcedureId == id)
            .OrderByDescending(c => c.At).ThenByDescending(c => c.Id).ToListAsync(ct);
        Extra = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(p.ExtraJson) ?? [];
        Rounding = (await municipality.GetAsync(ct)).Rounding;
        CanWrite = (await auth.AuthorizeAsync(User, Policies.InventoryWrite)).Succeeded;
        return Page();
    }

    public static string Label(string field) => ProcedureHistory.Labels.TryGetValue(field, out var l) ? l : field;
}
