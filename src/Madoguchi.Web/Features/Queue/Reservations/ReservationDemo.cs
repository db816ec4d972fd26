using Madoguchi.Web.Data;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// The demo's staffing plan: the moving-in services take bookings on weekdays, 9:00–12:00 and
/// 13:00–16:30, two counters at 15 minutes a visit with half their time for bookings (2 per 30-minute slot).
/// </summary>
public static class ReservationDemo
{
    public static void Add(MadoguchiDbContext db)
    {
        foreach (var service in db.QueueServices.Local.Where(s => s.Name is "転入" or "転入・転居・転出").ToList())
        {
            foreach (var weekday in new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })
            {
                foreach (var (from, to) in new[] { (new TimeOnly(9, 0), new TimeOnly(12, 0)), (new TimeOnly(13, 0), new TimeOnly(16, 30)) })
                {
                    db.StaffingPlans.Add(new StaffingPlan
                    {
                        OfficeId = service.OfficeId,
                        ServiceId = service.Id,
                        Weekday = (int)weekday,
                        From = from,
                        To = to,
                        Counters = 2,
                        MinutesPerVisit = 15,
                        BookablePercent = 50,
                        SlotMinutes = 30,
                    });
                }
            }
        }
    }
}
