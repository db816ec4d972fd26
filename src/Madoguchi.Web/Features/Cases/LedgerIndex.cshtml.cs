using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The ledgers this member of staff may open: their department's procedures that have a form or
/// cases, with how many cases are open, unread and overdue. Counts only, no personal data.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class LedgerIndexModel(MadoguchiDbContext db, StaffScope scope, CaseService cases, TimeProvider clock) : PageModel
{
    public sealed record Item(Guid Id, string Code, string Name, string Department, int Open, int Unread, int Overdue);

    public IReadOnlyList<Item> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var today = JapanTime.Today(clock);
        var visible = await scope.ProceduresAsync(User, ct);
        var procedures = await visible.AsNoTracking()
            .Where(p => db.Forms.Any(f => f.ProcedureId == p.Id) || db.Cases.Any(c => c.ProcedureId == p.Id))
            .OrderBy(p => p.Code)
            .Select(p => new { p.Id, p.Code, p.Name, Department = p.Department == null ? "" : p.Department.Ka })
            .ToListAsync(ct);
        var counts = await (await cases.VisibleAsync(User, ct))
            .GroupBy(c => c.ProcedureId)
            .Select(g => new
            {
                g.Key,
                Open = g.Sum(c => c.ClosedAt == null ? 1 : 0),
                Unread = g.Sum(c => c.OpenedAt == null ? 1 : 0),
                Overdue = g.Sum(c => c.ClosedAt == null && c.ClockStoppedOn == null && c.DueOn != null && c.DueOn < today ? 1 : 0),
            })
            .ToDictionaryAsync(x => x.Key, ct);
        Items = procedures.Select(p => counts.TryGetValue(p.Id, out var n)
            ? new Item(p.Id, p.Code, p.Name, p.Department, n.Open, n.Unread, n.Overdue)
            : new Item(p.Id, p.Code, p.Name, p.Department, 0, 0, 0)).ToList();
    }
}
