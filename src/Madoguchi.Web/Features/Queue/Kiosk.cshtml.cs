using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// The ticket machine's screen. Without a kiosk cookie it asks once for the device token (from
/// `kiosk register` or the admin page) and keeps it in a long-lived cookie; then it shows the office's
/// services as large buttons, each a form that issues a ticket and goes to the slip.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(Shared.RateLimits.Ticket)]
public sealed class KioskModel(KioskDevices kiosks, TicketIssuer issuer, Reservations.ReservationBook reservations, MadoguchiDbContext db, Lang lang, TimeProvider clock) : PageModel
{
    public KioskDevice? Device { get; private set; }
    public Office? Office { get; private set; }
    public List<(QueueSection Section, List<(QueueService Service, int Waiting)> Services)> Sections { get; } = [];
    public string? Error { get; private set; }
    public string? Refusal { get; private set; }
    /// <summary>The office has a staffing plan, so residents may come with a reservation's QR code.</summary>
    public bool TakesReservations { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Device = await kiosks.FromRequestAsync(Request, ct);
        if (Device is not null) await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostRegisterAsync(string? token, CancellationToken ct)
    {
        var device = await kiosks.AuthenticateAsync(token?.Trim(), ct);
        if (device is null)
        {
            Error = "発券機のトークンが正しくないか、失効しています。`./madoguchi kiosk register` または管理者ページで発行したトークンを入力してください。";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        kiosks.WriteCookie(Response, token!.Trim());
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostIssueAsync(Guid service, CancellationToken ct)
    {
        Device = await kiosks.FromRequestAsync(Request, ct);
        if (Device is null) return RedirectToPage();
        try
        {
            var issued = await issuer.IssueAsync(Device.OfficeId, service, new IssueRequest(Lang.Code(lang.Current)), Device.Name, ct);
            return Redirect($"/kiosk/tickets/{issued.Ticket.StatusToken}");
        }
        catch (QueueException e)
        {
            Refusal = e.Message;
            Response.StatusCode = e.Status;
            await LoadAsync(ct);
            return Page();
        }
    }

    /// <summary>予約の方: the reservation number (scanned from its QR code or typed) becomes a ticket, and the slip follows.</summary>
    public async Task<IActionResult> OnPostCheckInAsync(string? reservation, CancellationToken ct)
    {
        Device = await kiosks.FromRequestAsync(Request, ct);
        if (Device is null) return RedirectToPage();
        try
        {
            var issued = await reservations.CheckInAsync(Device.OfficeId, reservation, Device.Name, ct);
            return Redirect($"/kiosk/tickets/{issued.Ticket.StatusToken}");
        }
        catch (QueueException e)
        {
            Refusal = e.Message;
            Response.StatusCode = e.Status;
            await LoadAsync(ct);
            return Page();
        }
    }

    public IActionResult OnPostForget()
    {
        KioskDevices.DeleteCookie(Response);
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == Device!.OfficeId, ct);
        var now = clock.GetUtcNow();
        var today = Shared.Japanese.JapanTime.DateOf(now);
        TakesReservations = await db.StaffingPlans.AnyAsync(p => p.OfficeId == Office.Id, ct);
        var sections = await db.QueueSections.AsNoTracking().Where(s => s.OfficeId == Office.Id).OrderBy(s => s.SortOrder).ToListAsync(ct);
        var services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == Office.Id).OrderBy(s => s.SortOrder).ToListAsync(ct);
        var waiting = await db.Tickets.AsNoTracking().Where(t => t.OfficeId == Office.Id && t.ServiceDate == today).Where(QueueQueries.IsWaiting(now))
            .GroupBy(t => t.ServiceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        foreach (var section in sections)
        {
            Sections.Add((section, services.Where(s => s.SectionId == section.Id).Select(s => (s, waiting.GetValueOrDefault(s.Id))).ToList()));
        }
    }
}
