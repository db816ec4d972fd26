using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// One procedure's figures by fiscal year: オンライン利用率 (from the ledger or imported volumes, saying which),
/// median business days to 完了, share completed within 標準処理期間, 補正依頼 — the numbers of /api/v1/kpi/usage,
/// from the same service.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class StatsModel(MadoguchiDbContext db, OnlineKpiService kpi) : PageModel
{
    public Guid ProcedureId { get; private set; }
    public string ProcedureName { get; private set; } = "";
    public int? StandardProcessingDays { get; private set; }
    public ProcedureStats Stats { get; private set; } = default!;

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await StaffKeying.MayKeyAsync(HttpContext, procedureId, ct)) return NotFound();
        var p = await db.Procedures.AsNoTracking().Where(x => x.Id == procedureId).Select(x => new { x.Name, x.StandardProcessingDays }).FirstAsync(ct);
        ProcedureId = procedureId;
        ProcedureName = p.Name;
        StandardProcessingDays = p.StandardProcessingDays;
        Stats = await kpi.ProcedureStatsAsync(procedureId, null, null, ct);
        return Page();
    }
}
