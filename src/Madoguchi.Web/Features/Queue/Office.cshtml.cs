using System.Globalization;
using System.Text;
using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// An office's public live page: every section and service from the hub's snapshot in memory, a
/// stale notice when the data could not be refreshed, and the number search. Works without
/// JavaScript (a refresh link); with it, the page follows the SSE stream.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
[NoStore]
public sealed class OfficeModel(CongestionHub hub) : PageModel
{
    public Guid OfficeId { get; private set; }
    public CongestionSnapshot? Snapshot { get; private set; }

    [BindProperty(SupportsGet = true, Name = "number")]
    public string? Number { get; set; }

    public TicketPosition? Position { get; private set; }
    public bool NumberInvalid { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid office, CancellationToken ct)
    {
        OfficeId = office;
        var (availability, published) = await hub.FindAsync(office, ct);
        if (availability == OfficeAvailability.NoSuchOffice) return NotFound();
        Snapshot = published?.Snapshot;
        if (Snapshot is null)
        {
            // Honest about not knowing: never a page of zeros.
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "10";
            return Page();
        }
        if (!string.IsNullOrWhiteSpace(Number))
        {
            if (ParseNumber(Number) is { } n) Position = NumberSearch.Find(Snapshot, n);
            else NumberInvalid = true;
        }
        return Page();
    }

    /// <summary>"2013", "２０１３", " 2013番 " → 2013; anything else → null.</summary>
    public static int? ParseNumber(string value)
    {
        var s = value.Normalize(NormalizationForm.FormKC).Trim().TrimEnd('番').Trim();
        return s.Length is > 0 and <= 8 && s.All(char.IsAsciiDigit) ? int.Parse(s, CultureInfo.InvariantCulture) : null;
    }
}
