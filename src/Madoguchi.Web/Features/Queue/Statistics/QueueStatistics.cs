using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Statistics;

/// <summary>What a row of the statistics is about.</summary>
public enum StatisticsBy { Day, Hour, Service, Step }

/// <summary>
/// The cell a measurement falls into. Which fields are set depends on the grouping: a field not
/// grouped on is left at its default, so all measurements of a day (say) share one key.
/// </summary>
public readonly record struct StatisticsKey(DateOnly Date, int Hour, Guid ServiceId, int Step);

/// <summary>
/// The figures of one group. Waits run from entering a step's queue (ticket issued, previous step
/// done, transfer) to the first call for it; service times from a call to the end of that step
/// (step done, visit done or transfer). Times are whole seconds.
/// </summary>
public sealed class StatisticsGroup
{
    public int Issued { get; internal set; }
    /// <summary>Steps served: calls that ended in the step being done or transferred (the count behind the service times).</summary>
    public int Served => ServiceTimes.Count;
    /// <summary>Visits finished (the last step done).</summary>
    public int Done { get; internal set; }
    public int NoShows { get; internal set; }
    public int Transfers { get; internal set; }
    /// <summary>Reservations checked in; null when no reservations module reports them.</summary>
    public int? ReservationsKept { get; internal set; }
    public SecondsHistogram Waits { get; } = new();
    public SecondsHistogram ServiceTimes { get; } = new();
}

/// <summary>
/// Exact percentiles of whole seconds in memory bounded by the number of distinct values (at most
/// 86,400 a day's worth), not by the number of tickets: a count per second seen.
/// </summary>
public sealed class SecondsHistogram
{
    private readonly SortedDictionary<int, int> _counts = [];

    public int Count { get; private set; }

    public void Add(int seconds)
    {
        var s = Math.Max(0, seconds);
        _counts[s] = _counts.GetValueOrDefault(s) + 1;
        Count++;
    }

    /// <summary>
    /// The nearest-rank percentile: the smallest observed value with at least p % of the values at or
    /// below it (the median of 4 values is the 2nd, the 90th percentile of 10 values the 9th). Always a
    /// wait someone really had, never an interpolation; null when there are no values.
    /// </summary>
    public int? Percentile(int p)
    {
        if (Count == 0) return null;
        var rank = (int)Math.Ceiling(Count * (p / 100m));
        rank = Math.Clamp(rank, 1, Count);
        var seen = 0;
        foreach (var (value, n) in _counts)
        {
            seen += n;
            if (seen >= rank) return value;
        }
        return _counts.Keys.Last();
    }
}

/// <summary>Reservations checked in, per Japan date, hour and service: the reservations module fills it.</summary>
public sealed record KeptReservations(DateOnly Date, int Hour, Guid ServiceId, int Count);

/// <summary>
/// The hook by which a reservations module adds "reservations kept" to the statistics. Until one is
/// installed, <see cref="NoReservationStatistics"/> answers null and the column is not shown.
/// </summary>
public interface IReservationStatistics
{
    Task<IReadOnlyList<KeptReservations>?> KeptAsync(Guid officeId, DateOnly from, DateOnly to, CancellationToken ct);
}

public sealed class NoReservationStatistics : IReservationStatistics
{
    public Task<IReadOnlyList<KeptReservations>?> KeptAsync(Guid officeId, DateOnly from, DateOnly to, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<KeptReservations>?>(null);
}

/// <summary>The groups of one office and period, with what is needed to label them.</summary>
public sealed record StatisticsResult(
    Office Office, DateOnly From, DateOnly To, StatisticsBy By, RoundingMode Rounding,
    IReadOnlyDictionary<Guid, QueueService> Services, IReadOnlyList<Guid> ServiceOrder, IReadOnlyList<(StatisticsKey Key, StatisticsGroup Group)> Groups, bool HasReservations);

/// <summary>
/// Queue statistics from the ticket events of one office and period.
/// </summary>
/// <remarks>
/// One pass over the events, streamed from the database in (date, id) order: ids grow with commits,
/// so a ticket's events come in the order they happened. Memory stays bounded: the pairing state
/// (when a ticket entered a queue, when it was called) is kept for one Japan date at a time and
/// dropped when the date changes (numbering restarts at midnight, so no visit spans two dates), and
/// the durations go into <see cref="SecondsHistogram"/>s whose size is bounded by distinct seconds.
/// Counts are taken in the same pass rather than by a separate GROUP BY: the hour of an event is a
/// Japan-time hour of a DateTimeOffset, which SQLite (text timestamps) cannot group on portably.
/// </remarks>
public sealed class QueueStatistics(MadoguchiDbContext db, IReservationStatistics reservations)
{
    /// <summary>The longest period one request may cover (a year), which bounds the work per request.</summary>
    public const int MaxDays = 366;

    public async Task<StatisticsResult?> ComputeAsync(Guid officeId, DateOnly from, DateOnly to, StatisticsBy by, CancellationToken ct)
        => await ComputeAsync(officeId, from, to, by, k => by switch
        {
            StatisticsBy.Day => new StatisticsKey(k.Date, 0, Guid.Empty, 0),
            StatisticsBy.Hour => new StatisticsKey(default, k.Hour, Guid.Empty, 0),
            StatisticsBy.Service => new StatisticsKey(default, 0, k.ServiceId, 0),
            _ => new StatisticsKey(default, 0, k.ServiceId, k.Step),
        }, ct);

    /// <summary>Groups by whatever <paramref name="group"/> keeps of the full key (open data: date, service and hour).</summary>
    public async Task<StatisticsResult?> ComputeAsync(Guid officeId, DateOnly from, DateOnly to, StatisticsBy by, Func<StatisticsKey, StatisticsKey> group, CancellationToken ct)
    {
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Id == officeId, ct);
        if (office is null) return null;
        var rounding = await db.Municipalities.AsNoTracking().Where(m => m.Id == Municipality.SingletonId).Select(m => (RoundingMode?)m.Rounding).FirstOrDefaultAsync(ct) ?? RoundingMode.HalfUp;
        var services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == officeId).ToDictionaryAsync(s => s.Id, ct);
        // As on the public page: by section, then by the service's place in it.
        var sections = await db.QueueSections.AsNoTracking().Where(s => s.OfficeId == officeId).ToDictionaryAsync(s => s.Id, s => s.SortOrder, ct);
        var order = services.Values.OrderBy(s => sections.GetValueOrDefault(s.SectionId)).ThenBy(s => s.SortOrder).ThenBy(s => s.RangeFrom)
            .Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var groups = new Dictionary<StatisticsKey, StatisticsGroup>();
        StatisticsGroup At(StatisticsKey full)
        {
            var key = group(full);
            if (!groups.TryGetValue(key, out var g)) groups[key] = g = new StatisticsGroup();
            return g;
        }

        var events = db.TicketEvents.AsNoTracking()
            .Where(e => e.OfficeId == officeId && e.ServiceDate >= from && e.ServiceDate <= to)
            .OrderBy(e => e.ServiceDate).ThenBy(e => e.Id)
            .Select(e => new { e.TicketId, e.ServiceDate, e.Kind, e.At, e.ServiceId, e.Step })
            .AsAsyncEnumerable();
        var queued = new Dictionary<Guid, DateTimeOffset>();
        var called = new Dictionary<Guid, (DateTimeOffset At, Guid ServiceId, int Step)>();
        DateOnly? day = null;
        await foreach (var e in events.WithCancellation(ct))
        {
            if (day != e.ServiceDate)
            {
                queued.Clear();
                called.Clear();
                day = e.ServiceDate;
            }
            var here = new StatisticsKey(e.ServiceDate, Hour(e.At), e.ServiceId, e.Step);
            switch (e.Kind)
            {
                case TicketEventKind.Issued:
                    At(here).Issued++;
                    queued[e.TicketId] = e.At;
                    break;
                case TicketEventKind.Called:
                    // Only the first call after entering a queue ends a wait; a call back from 保留 or 不在 does not.
                    if (queued.Remove(e.TicketId, out var since))
                    {
                        At(new StatisticsKey(e.ServiceDate, Hour(since), e.ServiceId, e.Step)).Waits.Add(Seconds(e.At - since));
                    }
                    called[e.TicketId] = (e.At, e.ServiceId, e.Step);
                    break;
                case TicketEventKind.Held:
                    called.Remove(e.TicketId);
                    break;
                case TicketEventKind.NoShow:
                    // Counted where the ticket was called (the event already carries that service and step).
                    At(here).NoShows++;
                    called.Remove(e.TicketId);
                    break;
                case TicketEventKind.StepDone or TicketEventKind.Done or TicketEventKind.Transferred:
                    // The event carries the ticket after the change (next step, target service): measure at the call's.
                    var wasCalled = called.Remove(e.TicketId, out var call);
                    if (!wasCalled) call = (e.At, e.ServiceId, e.Step);
                    var callKey = new StatisticsKey(e.ServiceDate, Hour(call.At), call.ServiceId, call.Step);
                    if (wasCalled) At(callKey).ServiceTimes.Add(Seconds(e.At - call.At));
                    if (e.Kind == TicketEventKind.Transferred) At(callKey with { Hour = Hour(e.At) }).Transfers++;
                    if (e.Kind == TicketEventKind.Done) At(callKey with { Hour = Hour(e.At) }).Done++;
                    if (e.Kind == TicketEventKind.Done) queued.Remove(e.TicketId);
                    else queued[e.TicketId] = e.At;
                    break;
            }
        }

        var kept = await reservations.KeptAsync(officeId, from, to, ct);
        if (kept is not null)
        {
            foreach (var g in groups.Values) g.ReservationsKept = 0;
            foreach (var k in kept.Where(k => k.Date >= from && k.Date <= to))
            {
                var g = At(new StatisticsKey(k.Date, k.Hour, k.ServiceId, 0));
                g.ReservationsKept = (g.ReservationsKept ?? 0) + k.Count;
            }
        }
        var ordered = groups.Select(kv => (kv.Key, kv.Value))
            .OrderBy(x => x.Key.Date).ThenBy(x => x.Key.Hour)
            .ThenBy(x => order.TryGetValue(x.Key.ServiceId, out var i) ? i : int.MaxValue)
            .ThenBy(x => x.Key.Step).ToList();
        return new StatisticsResult(office, from, to, by, rounding, services, [.. order.OrderBy(x => x.Value).Select(x => x.Key)], ordered, kept is not null);
    }

    /// <summary>The Japan-time hour (0–23) of an instant.</summary>
    public static int Hour(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, JapanTime.Zone).Hour;

    private static int Seconds(TimeSpan span) => (int)Math.Max(0, Math.Min(int.MaxValue, Math.Round(span.TotalSeconds, MidpointRounding.ToZero)));

    /// <summary>
    /// Seconds as minutes with one decimal, by the municipality's rounding (DESIGN.md §3): integer
    /// arithmetic on tenths of a minute (6 seconds), half-up (四捨五入) or truncated; null stays null.
    /// </summary>
    public static decimal? Minutes(int? seconds, RoundingMode rounding)
    {
        if (seconds is not { } s) return null;
        var tenths = rounding == RoundingMode.Truncate ? s / 6 : (2L * s + 6) / 12;
        return new decimal((int)tenths, 0, 0, false, 1);
    }
}
