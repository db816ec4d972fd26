using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Waits;

/// <summary>Measured minutes from a call to the end of that step (the last <see cref="WaitEstimator.Window"/> of a service's step).</summary>
public sealed record ServiceTimes(int Samples, double MeanMinutes, double SdMinutes)
{
    public bool Measured => Samples >= WaitEstimator.MinSamples;

    public static ServiceTimes From(IReadOnlyCollection<double> minutes)
    {
        if (minutes.Count == 0) return new(0, 0, 0);
        var mean = minutes.Average();
        var sd = minutes.Count > 1 ? Math.Sqrt(minutes.Sum(m => (m - mean) * (m - mean)) / (minutes.Count - 1)) : 0;
        return new(minutes.Count, mean, sd);
    }
}

/// <summary>A range of minutes, and whether it came from measured service times or the flagged default.</summary>
public sealed record Estimated(WaitRange Range, bool IsDefault);

/// <summary>
/// Wait estimates from the recent distribution of service times per step and the counters staffed now
/// for that step, with the counters as parallel servers (issue 10), instead of a fixed number of
/// minutes per person.
/// </summary>
/// <remarks>
/// With <c>c</c> counters and <c>k</c> people ahead, a new ticket is called at the (k + 1 − idle)-th
/// end of service, idle being the staffed counters not serving anyone. Ends of service arrive about
/// every mean/c minutes, the first sooner when counters are busy (a service in progress is half done
/// on average): mid = (n − ½·busy/c)·mean/c. The spread is that of a sum of n service times shared by c counters (normal
/// approximation, 80 %: 1.28·√n·sd/c) plus 10 % of the middle for what the model ignores (breaks,
/// transfers, priority tickets). The standard deviation is taken as at least 20 % of the mean, so a
/// handful of identical samples never claims a precision nobody has. With fewer than
/// <see cref="MinSamples"/> measured services the default of <see cref="DefaultServiceMinutes"/> ± 5
/// minutes is used and the estimate is flagged as such on every page and in the JSON.
/// </remarks>
public static class WaitEstimator
{
    public const int DefaultServiceMinutes = 10;
    public const double DefaultSdMinutes = 5;
    public const int MinSamples = 5;
    /// <summary>Service times kept per service and step: recent enough to follow the day, many enough to be stable.</summary>
    public const int Window = 50;
    /// <summary>How far back service times are looked for (yesterday's day informs this morning's first tickets).</summary>
    public const int HistoryDays = 28;
    /// <summary>
    /// Ticket events read per office (newest first): about 20 services' windows. The same bound for the
    /// snapshot and for a ticket's issue, so both see the same service times.
    /// </summary>
    public const int MaxEvents = 3000;
    private const double Z80 = 1.2816;

    public static Estimated Estimate(int ahead, ServiceTimes? times, int counters, int serving)
    {
        var c = Math.Max(1, counters);
        var idle = Math.Max(0, c - serving);
        var n = ahead + 1 - idle;
        var measured = times is { Measured: true };
        if (n <= 0) return new(new WaitRange(0, 0), !measured);
        var mean = measured ? times!.MeanMinutes : DefaultServiceMinutes;
        var sd = Math.Max(measured ? times!.SdMinutes : DefaultSdMinutes, 0.2 * mean);
        // Counters busy now are half-way through a service on average; an idle one starts a full one.
        var busy = Math.Min(serving, c);
        var mid = (n - 0.5 * busy / c) * mean / c;
        var spread = Z80 * Math.Sqrt(n) * sd / c + 0.1 * mid;
        var low = (int)Math.Floor(Math.Max(0, mid - spread));
        var high = (int)Math.Ceiling(mid + spread);
        return new(new WaitRange(low, Math.Max(high, low + 1)), !measured);
    }
}

/// <summary>What the estimator needs for one office now, per (service, step index).</summary>
public sealed class WaitInputs(
    IReadOnlyDictionary<(Guid Service, int Step), ServiceTimes> times,
    IReadOnlyDictionary<(Guid Service, int Step), int> staffed,
    IReadOnlyDictionary<(Guid Service, int Step), int> serving,
    DateTimeOffset now,
    IReadOnlyDictionary<Guid, List<DateTimeOffset>> booked)
{
    public ServiceTimes? Times(Guid service, int step) => times.GetValueOrDefault((service, step));
    public int Staffed(Guid service, int step) => staffed.GetValueOrDefault((service, step));
    public int Serving(Guid service, int step) => serving.GetValueOrDefault((service, step));

    /// <summary>
    /// The wait behind <paramref name="ahead"/> tickets. For the first step, reservations booked for a time
    /// before the walk-in would be called also go ahead (a checked-in reservation is called first when
    /// due), so reservations and walk-ins share the counters' capacity: the estimate is taken once, the
    /// reservations starting within its upper end are added, and it is taken again.
    /// </summary>
    public Estimated Estimate(Guid service, int step, int ahead)
    {
        var first = WaitEstimator.Estimate(ahead, Times(service, step), Staffed(service, step), Serving(service, step));
        if (step != 0 || !booked.TryGetValue(service, out var starts)) return first;
        var until = now.AddMinutes(first.Range.High);
        var reserved = starts.Count(t => t <= until);
        return reserved == 0 ? first : WaitEstimator.Estimate(ahead + reserved, Times(service, step), Staffed(service, step), Serving(service, step));
    }

    /// <summary>
    /// Reads an office's recent service times (call → end of that step, from ticket events), today's
    /// shifts (a counter counts for a step when it handles the service and that step, or all steps) and
    /// the tickets being served now. A few queries; the live layer runs it once per change.
    /// </summary>
    public static async Task<WaitInputs> LoadAsync(MadoguchiDbContext db, Guid officeId, DateTimeOffset now, IReadOnlyCollection<QueueService> services, CancellationToken ct)
    {
        var today = JapanTime.DateOf(now);
        var since = today.AddDays(-WaitEstimator.HistoryDays);
        // Newest first, bounded: a busy office's last weeks are far more than the window needs.
        var events = await db.TicketEvents.AsNoTracking()
            .Where(e => e.OfficeId == officeId && e.ServiceDate >= since && e.Kind != TicketEventKind.Issued && e.Kind != TicketEventKind.Recalled)
            .OrderByDescending(e => e.Id).Take(WaitEstimator.MaxEvents)
            .Select(e => new { e.TicketId, e.Kind, e.At, e.ServiceId, e.Step }).ToListAsync(ct);
        events.Reverse();
        var durations = new Dictionary<(Guid, int), List<double>>();
        var open = new Dictionary<Guid, (DateTimeOffset At, Guid Service, int Step)>();
        foreach (var e in events)
        {
            if (e.Kind == TicketEventKind.Called)
            {
                open[e.TicketId] = (e.At, e.ServiceId, e.Step);
            }
            else if (open.Remove(e.TicketId, out var call) && e.Kind is TicketEventKind.StepDone or TicketEventKind.Done or TicketEventKind.Transferred)
            {
                // The step served is the called one (a transfer's event names its target).
                var key = (call.Service, call.Step);
                if (!durations.TryGetValue(key, out var list)) durations[key] = list = [];
                list.Add((e.At - call.At).TotalMinutes);
            }
        }
        var times = durations.ToDictionary(d => d.Key, d => ServiceTimes.From(d.Value.TakeLast(WaitEstimator.Window).ToList()));

        var shifts = await db.CounterShifts.AsNoTracking().Where(s => s.Date == today)
            .Join(db.QueueCounters.Where(c => c.OfficeId == officeId), s => s.CounterId, c => c.Id, (s, _) => s).ToListAsync(ct);
        var staffed = new Dictionary<(Guid, int), int>();
        foreach (var service in services)
        {
            var steps = service.StepNames;
            for (var i = 0; i < steps.Count; i++)
            {
                var count = shifts.Count(s => s.Services.Contains(service.Id) && (s.StepNames.Count == 0 || s.StepNames.Contains(steps[i])));
                if (count > 0) staffed[(service.Id, i)] = count;
            }
        }
        var serving = (await db.Tickets.AsNoTracking().Where(t => t.OfficeId == officeId && t.ServiceDate == today && t.Status == TicketStatus.Called)
                .GroupBy(t => new { t.ServiceId, t.Step }).Select(g => new { g.Key.ServiceId, g.Key.Step, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => (x.ServiceId, x.Step), x => x.Count);
        // Today's reservations not yet checked in, from a quarter of an hour back (until released as no-shows
        // they may still arrive and be called first). SQLite compares DateTimeOffset as text, so the times
        // are filtered here; a day's bookings are bounded by the slots' capacity.
        var lateBound = now.AddMinutes(-15);
        var booked = (await db.Reservations.AsNoTracking()
                .Where(r => r.OfficeId == officeId && r.Date == today && r.Status == Reservations.ReservationStatus.Booked)
                .Select(r => new { r.ServiceId, r.StartsAt }).ToListAsync(ct))
            .Where(r => r.StartsAt >= lateBound)
            .GroupBy(r => r.ServiceId).ToDictionary(g => g.Key, g => g.Select(r => r.StartsAt).ToList());
        return new WaitInputs(times, staffed, serving, now, booked);
    }
}
