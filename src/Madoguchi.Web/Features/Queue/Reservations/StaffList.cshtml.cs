using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// The day's reservations of an office for the counters: who is coming when, and what became of each
/// (予約済 / 受付済 / 取消 / 無断キャンセル). Names and e-mails are personal data: the read is audited.
/// </summary>
[Authorize(Policy = Policies.QueueWrite)]
public sealed class StaffListModel(MadoguchiDbContext db, AuditTrail audit, TimeProvider clock) : PageModel
{
    public sealed record Row(Reservation Reservation, string Service, int? TicketNumber);

    public IReadOnlyList<Office> Offices { get; private set; } = [];
    public Office? Office { get; private set; }
    public DateOnly Date { get; private set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public int Count(ReservationStatus status) => Rows.Count(r => r.Reservation.Status == status);

    public static string Time(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, JapanTime.Zone).ToString("H:mm");

    public static string StatusName(ReservationStatus s) => s switch
    {
        ReservationStatus.Booked => "予約済",
        ReservationStatus.CheckedIn => "受付済",
        ReservationStatus.Cancelled => "取消",
        _ => "無断キャンセル",
    };

    public async Task OnGetAsync(Guid? office, DateOnly? date, CancellationToken ct)
    {
        Offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
        Date = date ?? JapanTime.Today(clock);
        Office = Offices.FirstOrDefault(o => o.Id == office);
        if (Office is null) return;
        var day = Date;
        var officeId = Office.Id;
        Rows = await audit.ViewAlongsideAsync(new AuditEvent("queue.reservations.viewed", "office", officeId.ToString()) { Detail = $"date={day:yyyy-MM-dd}" }, async c =>
        {
            var list = await db.Reservations.AsNoTracking().Where(r => r.OfficeId == officeId && r.Date == day).ToListAsync(c);
            var services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == officeId).ToDictionaryAsync(s => s.Id, s => s.Name, c);
            var ticketIds = list.Where(r => r.TicketId != null).Select(r => r.TicketId!.Value).ToList();
            var numbers = await db.Tickets.AsNoTracking().Where(t => ticketIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Number, c);
            return (IReadOnlyList<Row>)list.OrderBy(r => r.StartsAt).ThenBy(r => r.BookedAt)
                .Select(r => new Row(r, services.GetValueOrDefault(r.ServiceId, ""), r.TicketId is { } t && numbers.TryGetValue(t, out var n) ? n : null)).ToList();
        }, ct);
    }
}
