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
    public sealed record LifeEventGroup(string Event, IReadOnlyList<string> Procedures);

    public IReadOnlyList<LifeEventGroup> Events { get; private set; } = [];
    public IReadOnlyList<Office> Offices { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Municipality = await municipality.GetAsync(ct);
        // The same definition as the KPI (online as of today, Japan time), so the two pages never disagree.
        var today = JapanTime.Today(clock);
        OnlineCount = (await kpi.OnlineAsync(today, null, ct)).Online;
        var online = db.Procedures.Where(p => p.OnlineEligible && p.Status == OnlineStatus.Done && (p.OnlineSince == null || p.OnlineSince <= today));
        // Residents look for what to do by life event; each event lists its procedures they can do online.
        var rows = await db.ProcedureLifeEvents
            .Where(e => e.Kind == LifeEventKind.Personal)
            .Join(online, e => e.ProcedureId, p => p.Id, (e, p) => new { e.Event, p.Name })
            .ToListAsync(ct);
        Events = [.. rows.GroupBy(r => r.Event)
            .Select(g => new LifeEventGroup(g.Key, [.. g.Select(r => r.Name).Distinct().Order(StringComparer.Ordinal)]))
            .OrderBy(g => Array.IndexOf(Catalog.Procedure.PersonalLifeEvents.ToArray(), g.Event) is var i && i < 0 ? int.MaxValue : i)
            .ThenBy(g => g.Event, StringComparer.Ordinal)];
        Offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
    }
}
