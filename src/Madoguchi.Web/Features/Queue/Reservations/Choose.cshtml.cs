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
/// One page, three choices by links (no JavaScript): the service, then a date with places left, then
/// a time. Closed days and full days are not offered; a full time is shown as full.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
[NoStore]
public sealed class ChooseModel(ReservationBook book, MadoguchiDbContext db, TimeProvider clock) : PageModel
{
    public Office Office { get; private set; } = null!;
    public IReadOnlyList<QueueService> Services { get; private set; } = [];
    public QueueService? Service { get; private set; }
    public DateOnly? Date { get; private set; }
    public IReadOnlyList<(DateOnly Day, IReadOnlyList<OpenSlot> Slots)> Days { get; private set; } = [];
    public IReadOnlyList<OpenSlot> Times { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid office, Guid? service, string? date, CancellationToken ct)
    {
        var found = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Id == office, ct);
        if (found is null) return NotFound();
        Office = found;
        Services = await book.ServicesAsync(office, ct);
        if (service is null) return Page();
        Service = Services.FirstOrDefault(s => s.Id == service);
        if (Service is null) return NotFound();
        if (date is null)
        {
            var today = JapanTime.Today(clock);
            var days = await book.AvailableAsync(Office, Service.Id, today, today.AddDays(book.Options.BookingDays - 1), ct);
            Days = days.Where(d => d.Value.Any(s => s.Left > 0)).OrderBy(d => d.Key).Select(d => (d.Key, d.Value)).ToList();
            return Page();
        }
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out var day)) return NotFound();
        Date = day;
        Times = await book.AvailableAsync(Office, Service.Id, day, ct);
        return Page();
    }
}
