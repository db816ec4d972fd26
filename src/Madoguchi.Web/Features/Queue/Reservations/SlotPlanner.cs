using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>A bookable time computed from the staffing plan: its start (Japan time) and how many can book it.</summary>
public sealed record PlannedSlot(TimeOnly Start, DateTimeOffset StartsAt, int Minutes, int Capacity);

/// <summary>Turns staffing plan rows into slots; pure, so the pages, the booking and the tests agree.</summary>
public static class SlotPlanner
{
    /// <summary>
    /// Visits the booked share of the planned counters can take in one slot, rounded down (a place
    /// offered must be one the counters can really serve): 2 counters × 30 min ÷ 15 min × 50 % = 2.
    /// </summary>
    public static int Capacity(StaffingPlan p)
        => p.MinutesPerVisit <= 0 ? 0 : p.Counters * p.SlotMinutes * p.BookablePercent / (p.MinutesPerVisit * 100);

    /// <summary>The plan rows that apply on a date: that date's own rows if there are any, else its weekday's.</summary>
    public static IEnumerable<StaffingPlan> RowsFor(IEnumerable<StaffingPlan> plans, DateOnly date)
    {
        var list = plans.ToList();
        var own = list.Where(p => p.Date == date).ToList();
        return own.Count > 0 ? own : list.Where(p => p.Date is null && p.Weekday == (int)date.DayOfWeek);
    }

    /// <summary>
    /// A service's slots on a date: none on a closed day (weekend, holiday, 年末年始, closure), only
    /// inside the office's opening hours, capacities of overlapping rows added up.
    /// </summary>
    public static IReadOnlyList<PlannedSlot> Slots(Office office, IEnumerable<StaffingPlan> plans, BusinessCalendar calendar, DateOnly date)
    {
        if (calendar.IsClosed(date)) return [];
        var byStart = new SortedDictionary<TimeOnly, (int Minutes, int Capacity)>();
        foreach (var p in RowsFor(plans, date))
        {
            if (p.SlotMinutes <= 0) continue;
            var capacity = Capacity(p);
            if (capacity <= 0) continue;
            for (var start = p.From; start.AddMinutes(p.SlotMinutes) <= p.To && start.AddMinutes(p.SlotMinutes) > start; start = start.AddMinutes(p.SlotMinutes))
            {
                if (start < office.OpensAt || start.AddMinutes(p.SlotMinutes) > office.ClosesAt) continue;
                byStart[start] = byStart.TryGetValue(start, out var had) ? (Math.Max(had.Minutes, p.SlotMinutes), had.Capacity + capacity) : (p.SlotMinutes, capacity);
            }
        }
        return byStart.Select(kv => new PlannedSlot(kv.Key, StartsAt(date, kv.Key), kv.Value.Minutes, kv.Value.Capacity)).ToList();
    }

    public static DateTimeOffset StartsAt(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time);
        return new DateTimeOffset(local, JapanTime.Zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
