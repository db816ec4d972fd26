using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>Residents start booking here: the offices that have bookable slots.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
public sealed class StartModel(ReservationBook book) : PageModel
{
    public IReadOnlyList<Office> Offices { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Offices = await book.OfficesAsync(ct);
}
