using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Home;

[AllowAnonymous]
public sealed class IndexModel(MadoguchiDbContext db, MunicipalityService municipality, OnlineKpiService kpi, TimeProvider clock) : PageModel
{
    public Municipality Municipality { get; private set; } = new();
    public int OnlineCount { get; private set; }
    public IReadOnlyList<(string Event, int Count)> Events { get; private set; } = [];
    public IReadOnlyList<Office> Offices { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Municipality = await municipality.GetAsync(ct);
        // The same definition as the KPI (online as of today, Japan time), so the two pages never disagree.
        var today = JapanTime.Today(clock);
        OnlineCount = (await kpi.OnlineAsync(today, null, ct)).Online;
        var online = db.Procedures.Where(p => p.OnlineEligible && p.Status == OnlineStatus.Done && (p.OnlineSince == null || p.OnlineSince <= today));
        var events = await db.ProcedureLifeEvents
            .Where(e => e.Kind == LifeEventKind.Personal && online.Any(p => p.Id == e.ProcedureId))
            .GroupBy(e => e.Event)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(ct);
        Events = [.. events.OrderByDescending(e => e.Count).ThenBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Count))];
        Offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
    }
}
