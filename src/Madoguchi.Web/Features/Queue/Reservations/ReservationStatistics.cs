using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue.Statistics;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// "Reservations kept" for the queue statistics: reservations checked in at the kiosk, counted under
/// the Japan hour of their booked slot (the hour the office planned them for, which is what staffing
/// plans are compared with), per date and service.
/// </summary>
public sealed class ReservationStatistics(MadoguchiDbContext db) : IReservationStatistics
{
    public async Task<IReadOnlyList<KeptReservations>?> KeptAsync(Guid officeId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        // SQLite stores DateTimeOffset as text and cannot take its Japan hour, so the (few) kept
        // reservations of the period are projected and grouped here; a day's bookings are bounded by capacity.
        var kept = await db.Reservations.AsNoTracking()
            .Where(r => r.OfficeId == officeId && r.Date >= from && r.Date <= to && r.Status == ReservationStatus.CheckedIn)
            .Select(r => new { r.Date, r.StartsAt, r.ServiceId })
            .ToListAsync(ct);
        return kept
            .GroupBy(r => (r.Date, Hour: TimeZoneInfo.ConvertTime(r.StartsAt, JapanTime.Zone).Hour, r.ServiceId))
            .Select(g => new KeptReservations(g.Key.Date, g.Key.Hour, g.Key.ServiceId, g.Count()))
            .ToList();
    }
}
