using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// Past days of tickets for the demo (only `demo load` and `serve --demo` call this), so that the
/// statistics page and the open-data history have something to show. Seeded: the same demo date
/// always gives the same tickets, waits and service times (only the status tokens are random, as
/// every token must be). Clearly demo data: the kiosk name says so.
/// </summary>
public static class QueueDemoHistory
{
    public const string KioskName = "デモ用の過去データ";
    public const int Days = 5;

    /// <summary>Minutes a resident waits for the first step, by the hour of arrival (a busy morning, a quiet lunch).</summary>
    private static readonly Dictionary<int, int> FirstWaitByHour = new()
    {
        [8] = 12,
        [9] = 28,
        [10] = 35,
        [11] = 24,
        [12] = 10,
        [13] = 18,
        [14] = 22,
        [15] = 16,
        [16] = 8,
    };

    /// <summary>Adds the tickets of the last <see cref="Days"/> business days before today to the main office and the Toyosu branch.</summary>
    public static void Add(MadoguchiDbContext db, IReadOnlyList<Office> offices, DateTimeOffset now)
    {
        var random = new Random(20250401);
        var today = JapanTime.DateOf(now);
        var days = new List<DateOnly>();
        for (var d = today.AddDays(-1); days.Count < Days; d = d.AddDays(-1))
        {
            if (BusinessCalendar.Standard.IsOpen(d)) days.Add(d);
        }
        days.Reverse();
        var services = db.QueueServices.Local.ToList();
        var counters = db.QueueCounters.Local.ToList();
        var events = new List<TicketEvent>();
        foreach (var office in offices.Where(o => o.Kind == OfficeKind.MainOffice || o.Name == "豊洲出張所"))
        {
            var own = services.Where(s => s.OfficeId == office.Id).OrderBy(s => s.RangeFrom).ToList();
            var desks = counters.Where(c => c.OfficeId == office.Id).ToList();
            if (own.Count == 0 || desks.Count == 0) continue;
            var perDay = office.Kind == OfficeKind.MainOffice ? 140 : 45;
            foreach (var day in days)
            {
                var next = own.ToDictionary(s => s.Id, s => s.RangeFrom);
                for (var i = 0; i < perDay + random.Next(-10, 11); i++)
                {
                    // Arrivals from 8:30 to 16:45, more of them in the morning.
                    var minute = 510 + (int)(Math.Pow(random.NextDouble(), 1.3) * 495);
                    var arrived = At(day, minute, random.Next(60));
                    var service = own[random.Next(own.Count)];
                    events.AddRange(Visit(db, office, service, own, desks, day, arrived, next, random));
                }
            }
        }
        // Ids follow insertion, and the statistics pair a ticket's events in id order: add them in time order.
        db.TicketEvents.AddRange(events.OrderBy(e => e.At));
    }

    private static IEnumerable<TicketEvent> Visit(MadoguchiDbContext db, Office office, QueueService service, List<QueueService> all, List<QueueCounter> desks,
        DateOnly day, DateTimeOffset arrived, Dictionary<Guid, int> next, Random random)
    {
        var ticket = new Ticket
        {
            OfficeId = office.Id,
            ServiceDate = day,
            Number = next[service.Id]++,
            ServiceId = service.Id,
            Step = 0,
            Status = TicketStatus.Done,
            ArrivedAt = arrived,
            QueuedAt = arrived,
            Language = "ja",
            KioskName = KioskName,
            StatusToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        db.Tickets.Add(ticket);
        var list = new List<TicketEvent>();
        TicketEvent Event(TicketEventKind kind, DateTimeOffset at, QueueService s, int step, QueueCounter? counter) => new()
        {
            TicketId = ticket.Id,
            OfficeId = office.Id,
            ServiceDate = day,
            Kind = kind,
            At = at,
            ServiceId = s.Id,
            Step = step,
            CounterId = counter?.Id,
        };
        list.Add(Event(TicketEventKind.Issued, arrived, service, 0, null));
        var at = arrived;
        var current = service;
        var transferred = false;
        for (var step = 0; step < current.StepNames.Count; step++)
        {
            var desk = desks[random.Next(desks.Count)];
            var jst = TimeZoneInfo.ConvertTime(at, JapanTime.Zone);
            var wait = step == 0 ? FirstWaitByHour.GetValueOrDefault(jst.Hour, 10) : 6;
            at = at.AddSeconds(wait * 60 * (0.3 + random.NextDouble() * 1.4));
            list.Add(Event(TicketEventKind.Called, at, current, step, desk));
            if (random.NextDouble() < 0.04)
            {
                // Not there when called: back in the queue after the grace period, called again.
                at = at.AddMinutes(2);
                list.Add(Event(TicketEventKind.NoShow, at, current, step, desk));
                at = at.AddMinutes(10 + random.Next(5));
                list.Add(Event(TicketEventKind.Called, at, current, step, desk));
            }
            var name = current.StepNames[step];
            var minutes = name switch { "審査" => 6 + random.Next(10), "会計" => 1 + random.Next(3), "交付" => 2 + random.Next(4), _ => 3 + random.Next(6) };
            at = at.AddSeconds(minutes * 60 + random.Next(60));
            if (step == 0 && !transferred && random.NextDouble() < 0.03 && all.FirstOrDefault(s => s.Id != current.Id && s.SectionId == current.SectionId) is { } target)
            {
                // Sent to another service of the section (e.g. 転居 → 転入): it starts that service's steps.
                list.Add(Event(TicketEventKind.Transferred, at, target, 0, desk));
                current = target;
                transferred = true;
                ticket.ServiceId = target.Id;
                step = -1;
                continue;
            }
            var last = step + 1 >= current.StepNames.Count;
            list.Add(Event(last ? TicketEventKind.Done : TicketEventKind.StepDone, at, current, last ? step : step + 1, desk));
            ticket.Step = step;
        }
        ticket.CalledAt = list.Last(e => e.Kind == TicketEventKind.Called).At;
        return list;
    }

    private static DateTimeOffset At(DateOnly day, int minuteOfDay, int second)
        => new DateTimeOffset(day.ToDateTime(new TimeOnly(minuteOfDay / 60, minuteOfDay % 60, second)), TimeSpan.FromHours(9)).ToUniversalTime();
}
