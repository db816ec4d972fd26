using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Features.Queue.Waits;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// The live status of one ticket (the QR code on the slip leads here): its place in the queue
/// from the office's snapshot, so a crowd of phones asks the database only for the token. The
/// resident may leave an e-mail address for one "your turn is near" mail (works without JavaScript).
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
[NoStore]
public sealed class TicketModel(ITicketLookup tickets, CongestionHub hub, TimeProvider clock, TurnAlerts alerts, TurnAlertLimiter limiter, Lang lang) : PageModel
{
    public TicketRef? Ticket { get; private set; }
    public CongestionSnapshot? Snapshot { get; private set; }
    public TicketPosition? Position { get; private set; }
    /// <summary>Numbers restart every day (Japan time): yesterday's 2013 is not today's.</summary>
    public bool Expired { get; private set; }
    public TurnAlertView? Alert { get; private set; }

    [BindProperty]
    public AlertForm Form { get; set; } = new();

    /// <summary>Field ("email", "ahead") → what to fix.</summary>
    public Dictionary<string, FieldMessage> Errors { get; } = [];
    public bool Limited { get; private set; }

    /// <summary>The form is offered while the ticket waits, mail can be sent, and no mail went yet.</summary>
    public bool CanAskForAlert => alerts.Enabled && !Expired && Position?.State == TicketState.Waiting && Alert is not { Sent: true };

    public sealed class AlertForm
    {
        public string? Email { get; set; }
        public string? Ahead { get; set; } = "3";
    }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct) => await LoadAsync(token, ct) ?? Page();

    public async Task<IActionResult> OnPostAlertAsync(string token, CancellationToken ct)
    {
        if (await LoadAsync(token, ct) is { } early) return early;
        if (!limiter.TryTake(HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown"))
        {
            Limited = true;
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = "600";
            return Page();
        }
        try
        {
            await alerts.SetAsync(token, Form.Email, Form.Ahead, Lang.Code(lang.Current), ct);
            return Redirect("/queue/tickets/" + Uri.EscapeDataString(token) + "#alert-title");
        }
        catch (TurnAlertException e)
        {
            Errors[e.Field] = e.Text;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }

    /// <summary>Null when the page can be shown (maybe with a 503 for missing data); else the result to return.</summary>
    private async Task<IActionResult?> LoadAsync(string token, CancellationToken ct)
    {
        if (token.Length > 200) return NotFound();
        Ticket = await tickets.FindAsync(token, ct);
        if (Ticket is null) return NotFound();
        if (JapanTime.DateOf(Ticket.IssuedAt) != JapanTime.Today(clock))
        {
            Expired = true;
            return null;
        }
        Alert = await alerts.FindAsync(token, ct);
        var (_, published) = await hub.FindAsync(Ticket.OfficeId, ct);
        Snapshot = published?.Snapshot;
        if (Snapshot is null)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "10";
            return null;
        }
        Position = NumberSearch.Find(Snapshot, Ticket.Number);
        return null;
    }
}
