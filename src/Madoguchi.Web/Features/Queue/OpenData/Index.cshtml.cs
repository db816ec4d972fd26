using Madoguchi.Web.Data;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue.OpenData;

/// <summary>The open-data index for people: what is published, under which licence, and each office's URLs.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
public sealed class IndexModel(MadoguchiDbContext db) : PageModel
{
    public string Municipality { get; private set; } = "";
    public List<Platform.Office> Offices { get; private set; } = [];
    public string Origin => $"{Request.Scheme}://{Request.Host}";

    public async Task OnGetAsync(CancellationToken ct)
    {
        Municipality = await QueueOpenData.MunicipalityNameAsync(db, ct);
        Offices = await QueueOpenData.OfficesAsync(db, ct);
    }
}
