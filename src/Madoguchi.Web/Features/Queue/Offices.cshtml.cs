using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Queue;

/// <summary>All offices on one page, each with a congestion level in words, from the hub's snapshots in memory.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Public)]
[NoStore]
public sealed class OfficesModel(CongestionHub hub) : PageModel
{
    public sealed record Row(Guid Id, CongestionSnapshot? Snapshot, CongestionLevel Level, int? Waiting);

    /// <summary>Null when the list of offices has never been loaded (database unreachable since start).</summary>
    public IReadOnlyList<Row>? Rows { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Rows = (await hub.AllAsync(ct))?.Select(o => new Row(o.Id, o.Snapshot?.Snapshot, NumberSearch.Level(o.Snapshot?.Snapshot),
                o.Snapshot?.Snapshot.Sections.Sum(s => s.Waiting)))
            .OrderBy(r => r.Snapshot is null).ThenBy(r => r.Snapshot?.Office.Name, StringComparer.Ordinal).ToList();
        if (Rows is null) Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
    }
}
