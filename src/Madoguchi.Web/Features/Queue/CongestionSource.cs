using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// Builds an office's snapshot from the database in a few queries (the live layer calls it once per
/// change, never per viewer).
/// </summary>
/// <remarks>
/// The wait estimate is deliberately simple: the mean service time of today's finished steps of that
/// service (the last 20; 10 minutes before there are any), times the people waiting, divided by the
/// counters staffed for it today (at least one), shown as a range of ±25 %. A later issue measures and
/// publishes its accuracy.
/// </remarks>
public sealed class CongestionSource(MadoguchiDbContext db, TimeProvider clock) : ICongestionSource
{
    public const int DefaultServiceMinutes = 10;
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
        var minutes = await ServiceMinutesAsync(officeId, today, ct);
        var staffed = await StaffedAsync(officeId, today, ct);
        var counters = await db.QueueCounters.AsNoTracking().Where(c => c.OfficeId == officeId).ToDictionaryAsync(c => c.Id, c => c.Number, ct);

        var bySection = sections.Select(section =>
        {
            var list = services.Where(s => s.SectionId == section.Id).Select(s =>
            {
                var queue = waiting.Where(w => w.ServiceId == s.Id).Select(w => w.Number).ToList();
                var nowServing = calls.FirstOrDefault(c => c.ServiceId == s.Id)?.Number;
                return new ServiceCongestion(s.Id, s.Name, s.NameEn, queue.Count, nowServing,
                    Estimate(queue.Count, minutes.GetValueOrDefault(s.Id, DefaultServiceMinutes), staffed.GetValueOrDefault(s.Id)), queue)
                {
                    Steps = s.StepNames.Select((name, i) => new StepCongestion(name, waiting.Count(w => w.ServiceId == s.Id && w.Step == i))).ToList(),
                };
            }).ToList();
            return new SectionCongestion(section.Id, section.Name, section.NameEn, section.Colour, list.Sum(x => x.Waiting), list);
        }).ToList();
        var recent = calls.Take(RecentCallCount)
            .Select(c => new RecentCall(c.Number, c.CounterId is { } id && counters.TryGetValue(id, out var n) ? n : "", c.ServiceId, c.At)).ToList();
        return new CongestionSnapshot(new OfficeRef(office.Id, office.Name, office.NameEn), now, false, bySection, recent);
    }

    public static WaitRange Estimate(int waiting, double serviceMinutes, int counters)
    {
        if (waiting == 0) return new WaitRange(0, 0);
        var mid = waiting * serviceMinutes / Math.Max(1, counters);
        return new WaitRange((int)Math.Floor(mid * 0.75), (int)Math.Ceiling(mid * 1.25));
    }

    /// <summary>Mean minutes from a call to the end of that step, over today's last 20 per service.</summary>
    private async Task<Dictionary<Guid, double>> ServiceMinutesAsync(Guid officeId, DateOnly today, CancellationToken ct)
    {
        var events = await db.TicketEvents.AsNoTracking()
            .Where(e => e.OfficeId == officeId && e.ServiceDate == today && e.Kind != TicketEventKind.Issued)
            .OrderBy(e => e.Id).Select(e => new { e.TicketId, e.Kind, e.At, e.ServiceId }).ToListAsync(ct);
        var durations = new Dictionary<Guid, List<double>>();
        var open = new Dictionary<Guid, DateTimeOffset>();
        foreach (var e in events)
        {
            if (e.Kind == TicketEventKind.Called)
            {
                open[e.TicketId] = e.At;
            }
            else if ((e.Kind is TicketEventKind.StepDone or TicketEventKind.Done or TicketEventKind.Transferred) && open.Remove(e.TicketId, out var called))
            {
                if (!durations.TryGetValue(e.ServiceId, out var list)) durations[e.ServiceId] = list = [];
                list.Add((e.At - called).TotalMinutes);
            }
            else if (e.Kind is TicketEventKind.Held or TicketEventKind.NoShow)
            {
                open.Remove(e.TicketId);
            }
        }
        return durations.ToDictionary(d => d.Key, d => d.Value.TakeLast(20).Average());
    }

    /// <summary>How many counters are staffed today for each service.</summary>
    private async Task<Dictionary<Guid, int>> StaffedAsync(Guid officeId, DateOnly today, CancellationToken ct)
    {
        var shifts = await db.CounterShifts.AsNoTracking().Where(s => s.Date == today)
            .Join(db.QueueCounters.Where(c => c.OfficeId == officeId), s => s.CounterId, c => c.Id, (s, _) => s.ServiceIds).ToListAsync(ct);
        return shifts.SelectMany(ids => ids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
    }
}
