using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// Builds an office's snapshot from the database in a few queries (the live layer calls it once per
/// change, never per viewer).
/// </summary>
/// <remarks>
/// Wait estimates come from <see cref="Waits.WaitEstimator"/>: the recent service times of each step and
/// the counters staffed for it today; their accuracy is logged per ticket and reported (issue 10).
/// </remarks>
public sealed class CongestionSource(MadoguchiDbContext db, TimeProvider clock) : ICongestionSource
{
    private const int RecentCallCount = 10;

    public async Task<IReadOnlyList<Guid>> OfficeIdsAsync(CancellationToken ct)
        => await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).Select(o => o.Id).ToListAsync(ct);

    public async Task<CongestionSnapshot?> LoadAsync(Guid officeId, CancellationToken ct)
    {
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Id == officeId, ct);
        if (office is null) return null;
        var now = clock.GetUtcNow();
        var today = JapanTime.DateOf(now);
        var sections = await db.QueueSections.AsNoTracking().Where(s => s.OfficeId == officeId).OrderBy(s => s.SortOrder).ThenBy(s => s.Name).ToListAsync(ct);
        var services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == officeId).OrderBy(s => s.SortOrder).ThenBy(s => s.RangeFrom).ToListAsync(ct);
        var waiting = await db.Tickets.AsNoTracking().Where(t => t.OfficeId == officeId && t.ServiceDate == today).Where(QueueQueries.IsWaiting(now))
            .InCallingOrder().Select(t => new { t.ServiceId, t.Number, t.Step }).ToListAsync(ct);
        var calls = await db.TicketEvents.AsNoTracking()
            .Where(e => e.OfficeId == officeId && e.ServiceDate == today && (e.Kind == TicketEventKind.Called || e.Kind == TicketEventKind.Recalled))
            .Join(db.Tickets, e => e.TicketId, t => t.Id, (e, t) => new { e.Id, e.ServiceId, e.CounterId, e.At, t.Number })
            .OrderByDescending(x => x.Id).Take(200)
            .ToListAsync(ct);
        var inputs = await Waits.WaitInputs.LoadAsync(db, officeId, now, services, ct);
        var counters = await db.QueueCounters.AsNoTracking().Where(c => c.OfficeId == officeId).ToDictionaryAsync(c => c.Id, c => c.Number, ct);

        var bySection = sections.Select(section =>
        {
            var list = services.Where(s => s.SectionId == section.Id).Select(s =>
            {
                var queue = waiting.Where(w => w.ServiceId == s.Id).Select(w => w.Number).ToList();
                var nowServing = calls.FirstOrDefault(c => c.ServiceId == s.Id)?.Number;
                var steps = s.StepNames.Select((name, i) =>
                {
                    var count = waiting.Count(w => w.ServiceId == s.Id && w.Step == i);
                    return (Step: new StepCongestion(name, count), Estimate: inputs.Estimate(s.Id, i, count));
                }).ToList();
                // A ticket taken now joins the first step behind everyone waiting there.
                var first = steps.Count > 0 ? steps[0].Estimate : inputs.Estimate(s.Id, 0, queue.Count);
                return new ServiceCongestion(s.Id, s.Name, s.NameEn, queue.Count, nowServing, first.Range, queue)
                {
                    Steps = steps.Select(x => x.Step with { EstimatedWaitMinutes = x.Estimate.Range }).ToList(),
                    EstimateBasis = first.IsDefault ? "default" : "measured",
                };
            }).ToList();
            return new SectionCongestion(section.Id, section.Name, section.NameEn, section.Colour, list.Sum(x => x.Waiting), list);
        }).ToList();
        var recent = calls.Take(RecentCallCount)
            .Select(c => new RecentCall(c.Number, c.CounterId is { } id && counters.TryGetValue(id, out var n) ? n : "", c.ServiceId, c.At)).ToList();
        return new CongestionSnapshot(new OfficeRef(office.Id, office.Name, office.NameEn), now, false, bySection, recent);
    }
}
