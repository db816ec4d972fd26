using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// The resident's reservation, opened by the secret in the confirmation mail's link (only its hash is
/// stored): the number, its QR code for the kiosk, and cancelling. Any other secret is a plain 404.
/// </summary>
[AllowAnonymous]
// 128-bit secrets: no guessing to slow down, so the public limit (a lookup limit would be shared with number searches).
[EnableRateLimiting(RateLimits.Public)]
[NoStore]
public sealed class MineModel(ReservationBook book, MadoguchiDbContext db, Shared.Localization.Lang lang) : PageModel
{
    public Reservation Reservation { get; private set; } = null!;
    public Office Office { get; private set; } = null!;
    public QueueService Service { get; private set; } = null!;
    public string Token { get; private set; } = "";
    public DateTimeOffset Local => TimeZoneInfo.ConvertTime(Reservation.StartsAt, JapanTime.Zone);
    public bool Booked { get; private set; }
    public bool Cancelled { get; private set; }
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, bool booked, bool cancelled, CancellationToken ct)
    {
        if (!await LoadAsync(token, ct)) return NotFound();
        (Booked, Cancelled) = (booked && Reservation.Status == ReservationStatus.Booked, cancelled && Reservation.Status == ReservationStatus.Cancelled);
        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(string token, CancellationToken ct)
    {
        if (!await LoadAsync(token, ct)) return NotFound();
        try
        {
            await book.CancelAsync(token, ct);
        }
        catch (QueueException e)
        {
            Problem = ReservationTexts.Problem(lang.Current, e);
            Response.StatusCode = e.Status;
            return Page();
        }
        return Redirect($"/reservations/r/{token}?cancelled=true");
    }

    private async Task<bool> LoadAsync(string token, CancellationToken ct)
    {
        if (await book.FindAsync(token, ct) is not { } r) return false;
        Reservation = r;
        Token = token;
        Office = await db.Offices.AsNoTracking().FirstAsync(o => o.Id == r.OfficeId, ct);
        Service = await db.QueueServices.AsNoTracking().FirstAsync(s => s.Id == r.ServiceId, ct);
        return true;
    }
}
