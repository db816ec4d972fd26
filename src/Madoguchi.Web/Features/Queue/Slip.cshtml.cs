using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// The printable slip after a ticket is issued: on screen too, so a failed print still leaves the
/// number and the QR code visible. Only the kiosk of the ticket's office shows it.
/// </summary>
[AllowAnonymous]
public sealed class SlipModel(KioskDevices kiosks, MadoguchiDbContext db, TimeProvider clock) : PageModel
{
    public Ticket Ticket { get; private set; } = null!;
    public QueueService Service { get; private set; } = null!;
    public Platform.Office Office { get; private set; } = null!;
    public int Ahead { get; private set; }
    /// <summary>The estimate logged at issue: the slip shows exactly what the accuracy report measures.</summary>
    public Waits.WaitEstimate? Estimate { get; private set; }
    public string StatusUrl { get; private set; } = "";
    public DateTimeOffset IssuedLocal => TimeZoneInfo.ConvertTime(Ticket.ArrivedAt, JapanTime.Zone);

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var device = await kiosks.FromRequestAsync(Request, ct);
        if (device is null) return Redirect("/kiosk");
        var ticket = await db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.StatusToken == token && t.OfficeId == device.OfficeId, ct);
        if (ticket is null) return NotFound();
        Ticket = ticket;
        Service = await db.QueueServices.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
        Office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == ticket.OfficeId, ct);
        Ahead = await QueueQueries.AheadAsync(db, ticket, clock.GetUtcNow(), ct);
        Estimate = await db.WaitEstimates.AsNoTracking().FirstOrDefaultAsync(w => w.TicketId == ticket.Id, ct);
        StatusUrl = QueueModule.StatusUrl(Request, ticket.StatusToken);
        return Page();
    }
}
