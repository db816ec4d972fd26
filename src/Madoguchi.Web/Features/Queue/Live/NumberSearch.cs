namespace Madoguchi.Web.Features.Queue.Live;

public enum TicketState { Waiting, Called, NotWaiting }

/// <summary>Where a number stands, answered from the snapshot (no database query per search).</summary>
public sealed record TicketPosition(
    int Number, TicketState State, SectionCongestion? Section, ServiceCongestion? Service, int Ahead, WaitRange? EstimatedWait, RecentCall? Call);

public enum CongestionLevel { Unknown, Quiet, Moderate, Busy, VeryBusy }

public static class NumberSearch
{
    /// <summary>
    /// The number's place in its service's queue and its estimated wait; a number called recently
    /// says where to go; any other number is not (or no longer) waiting.
    /// </summary>
    public static TicketPosition Find(CongestionSnapshot snapshot, int number)
    {
        foreach (var section in snapshot.Sections)
        {
            foreach (var service in section.Services)
            {
                var index = IndexOf(service.Queue, number);
                if (index >= 0) return new(number, TicketState.Waiting, section, service, index, WaitFor(service, index), null);
            }
        }
        var call = snapshot.RecentCalls.Where(c => c.Number == number).OrderByDescending(c => c.CalledAt).FirstOrDefault();
        if (call is not null)
        {
            var (section, service) = ServiceOf(snapshot, call.ServiceId);
            return new(number, TicketState.Called, section, service, 0, null, call);
        }
        return new(number, TicketState.NotWaiting, null, null, 0, null, null);
    }

    /// <summary>
    /// The service's estimate is for a ticket taken now (everyone waiting ahead of it); someone
    /// with fewer ahead waits proportionally less.
    /// </summary>
    public static WaitRange WaitFor(ServiceCongestion service, int ahead)
    {
        var waiting = service.Waiting;
        if (waiting <= 0 || ahead >= waiting) return service.EstimatedWaitMinutes;
        var low = service.EstimatedWaitMinutes.Low * ahead / waiting;
        var high = (service.EstimatedWaitMinutes.High * ahead + waiting - 1) / waiting;
        return new WaitRange(low, Math.Max(low, high));
    }

    /// <summary>
    /// An office's level for the all-offices page, from the longest estimated wait of its services
    /// (what a resident deciding where to go cares about): under 15 min, under 45, under 90, more.
    /// </summary>
    public static CongestionLevel Level(CongestionSnapshot? snapshot)
    {
        if (snapshot is null) return CongestionLevel.Unknown;
        var longest = snapshot.Sections.SelectMany(s => s.Services).Select(s => s.EstimatedWaitMinutes.High).DefaultIfEmpty(0).Max();
        return longest switch
        {
            < 15 => CongestionLevel.Quiet,
            < 45 => CongestionLevel.Moderate,
            < 90 => CongestionLevel.Busy,
            _ => CongestionLevel.VeryBusy,
        };
    }

    public static (SectionCongestion? Section, ServiceCongestion? Service) ServiceOf(CongestionSnapshot snapshot, Guid serviceId)
    {
        foreach (var section in snapshot.Sections)
        {
            foreach (var service in section.Services)
            {
                if (service.Id == serviceId) return (section, service);
            }
        }
        return (null, null);
    }

    private static int IndexOf(IReadOnlyList<int> queue, int number)
    {
        for (var i = 0; i < queue.Count; i++)
        {
            if (queue[i] == number) return i;
        }
        return -1;
    }
}

/// <summary>A ticket as its live status page needs it: which office and number, issued when.</summary>
public sealed record TicketRef(Guid OfficeId, int Number, DateTimeOffset IssuedAt);

/// <summary>
/// Finds the ticket behind a status-page token (the QR code on the slip). The queue core
/// implements it; until then no token is known.
/// </summary>
public interface ITicketLookup
{
    /// <summary>Null when no ticket has this token.</summary>
    Task<TicketRef?> FindAsync(string token, CancellationToken ct);
}
