using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// The live status of one ticket (the QR code on the slip leads here): its place in the queue
/// from the office's snapshot, so a crowd of phones asks the database only for the token.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
[ResponseCache(NoStore = true)]
public sealed class TicketModel(ITicketLookup tickets, CongestionHub hub, TimeProvider clock) : PageModel
{
    public TicketRef? Ticket { get; private set; }
    public CongestionSnapshot? Snapshot { get; private set; }
    public TicketPosition? Position { get; private set; }
    /// <summary>Numbers restart every day (Japan time): yesterday's 2013 is not today's.</summary>
    public bool Expired { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        if (token.Length > 200) return NotFound();
        Ticket = await tickets.FindAsync(token, ct);
        if (Ticket is null) return NotFound();
        if (JapanTime.DateOf(Ticket.IssuedAt) != JapanTime.Today(clock))
        {
            Expired = true;
            return Page();
        }
        var (_, published) = await hub.FindAsync(Ticket.OfficeId, ct);
        Snapshot = published?.Snapshot;
        if (Snapshot is null)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "10";
            return Page();
        }
        Position = NumberSearch.Find(Snapshot, Ticket.Number);
        return Page();
    }
}
