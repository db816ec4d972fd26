using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// Tickets of checked-in reservations whose slot is due (from <see cref="ReservationOptions.DueMinutesBefore"/>
/// minutes before it starts): the counter calls them before any walk-in, earliest slot first.
/// Before that a checked-in reservation waits in the ordinary order, by arrival.
/// </summary>
public sealed class DueReservations(MadoguchiDbContext db, IOptions<ReservationOptions> options) : IDueReservations
{
    public async Task<IReadOnlyList<Guid>> DueTicketIdsAsync(Guid officeId, IReadOnlyCollection<Guid> serviceIds, DateTimeOffset now, CancellationToken ct)
    {
        var today = JapanTime.DateOf(now);
        var due = now.AddMinutes(options.Value.DueMinutesBefore);
        var ids = serviceIds.ToList();
        return await db.Reservations.AsNoTracking()
            .Where(r => r.OfficeId == officeId && r.Date == today && r.Status == ReservationStatus.CheckedIn && r.TicketId != null && ids.Contains(r.ServiceId))
            .Where(r => r.StartsAt <= due)
            .OrderBy(r => r.StartsAt).ThenBy(r => r.CheckedInAt)
            .Select(r => r.TicketId!.Value)
            .Take(50)
            .ToListAsync(ct);
    }
}
