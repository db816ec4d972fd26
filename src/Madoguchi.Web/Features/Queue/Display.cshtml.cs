using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// The lobby display: the latest calls in large numbers with the announcement text; its script
/// follows the SSE stream, plays a chime and speaks each new call in Japanese and English.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
[NoStore]
public sealed class DisplayModel(CongestionHub hub) : PageModel
{
    public Guid OfficeId { get; private set; }
    public CongestionSnapshot? Snapshot { get; private set; }
    public IReadOnlyList<(RecentCall Call, Announcement Announcement)> Calls { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid office, CancellationToken ct)
    {
        OfficeId = office;
        var (availability, published) = await hub.FindAsync(office, ct);
        if (availability == OfficeAvailability.NoSuchOffice) return NotFound();
        Snapshot = published?.Snapshot;
        if (Snapshot is null)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "10";
            return Page();
        }
        Calls = [.. Snapshot.RecentCalls.OrderByDescending(c => c.CalledAt).Take(8).Select(c => (c, Announcement.For(c.Number, c.Counter)))];
        return Page();
    }
}
