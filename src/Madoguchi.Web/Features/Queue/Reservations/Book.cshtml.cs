using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Localization;
using Madoguchi.Web.Shared.Mail;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// The chosen time with the resident's name and e-mail. Booking sends the confirmation (number, link
/// to the reservation page with its QR code) and opens that page; a time taken meanwhile says so.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Ticket)]
[NoStore]
public sealed class BookModel(ReservationBook book, MadoguchiDbContext db, Lang lang, MailSender mail, IConfiguration configuration, ILogger<BookModel> log) : PageModel
{
    public sealed class BookInput
    {
        [Required] public string? Name { get; set; }
        [Required] public string? Email { get; set; }
    }

    [BindProperty]
    public BookInput Input { get; set; } = new();

    public Office Office { get; private set; } = null!;
    public QueueService Service { get; private set; } = null!;
    public DateOnly Date { get; private set; }
    public TimeOnly Time { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid office, Guid service, string? date, string? time, CancellationToken ct)
        => await LoadAsync(office, service, date, time, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid office, Guid service, string? date, string? time, CancellationToken ct)
    {
        if (!await LoadAsync(office, service, date, time, ct)) return NotFound();
        ModelState.Clear();
        foreach (var (field, message) in ReservationBook.Check(Input.Name, Input.Email))
        {
            ModelState.AddModelError(field == "name" ? "Input.Name" : "Input.Email", message.Text(lang.Current));
        }
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        Booked booked;
        try
        {
            booked = await book.BookAsync(new BookRequest(office, service, Date, Time, Input.Name, Input.Email, Lang.Code(lang.Current)), ct);
        }
        catch (QueueException e)
        {
            ModelState.AddModelError("", ReservationTexts.Problem(lang.Current, e));
            Response.StatusCode = e.Status;
            return Page();
        }
        var url = ReservationsModule.PageUrl(Request, configuration, booked.Token);
        if (mail.Configured)
        {
            var message = ReservationMails.Confirmation(booked.Reservation, booked.Office, booked.Service, url);
            try
            {
                await mail.SendAsync(booked.Reservation.Email, message.Subject, message.Body, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The booking stands: the page that follows shows the number and the QR code.
                log.LogWarning(e, "Confirmation of reservation {Number} not sent", booked.Reservation.Number);
            }
        }
        return Redirect($"/reservations/r/{booked.Token}?booked=true");
    }

    private async Task<bool> LoadAsync(Guid office, Guid service, string? date, string? time, CancellationToken ct)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out var d) || !TimeOnly.TryParseExact(time, "HH:mm", out var t)) return false;
        var o = await db.Offices.AsNoTracking().FirstOrDefaultAsync(x => x.Id == office, ct);
        var s = await db.QueueServices.AsNoTracking().FirstOrDefaultAsync(x => x.Id == service && x.OfficeId == office, ct);
        if (o is null || s is null) return false;
        (Office, Service, Date, Time) = (o, s, d, t);
        return true;
    }
}
