using Madoguchi.Web.Data;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// The status of one application for whoever holds its receipt number and status key. A wrong key
/// and an unknown number get the same answer, and lookups are rate limited, so numbers cannot be probed.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Lookup)]
[ResponseCache(NoStore = true)]
public sealed class StatusModel(MadoguchiDbContext db) : PageModel
{
    public sealed record View(string ReceiptNumber, string FormTitle, int Version, string SubmittedAt);

    [BindProperty(SupportsGet = true, Name = "receipt")]
    public string? Receipt { get; set; }

    [BindProperty(SupportsGet = true, Name = "key")]
    public string? Key { get; set; }

    public View? Found { get; private set; }
    public bool NoMatch { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Receipt) && string.IsNullOrWhiteSpace(Key)) return;
        var receipt = ReceiptNumbers.Normalise(Receipt);
        var key = Key?.Trim().ToLowerInvariant();
        var s = receipt is null || string.IsNullOrEmpty(key) ? null : await db.Submissions.AsNoTracking()
            .Where(x => x.ReceiptNumber == receipt)
            .Select(x => new { x.ReceiptNumber, x.SecretHash, Title = x.Form!.Title, x.FormVersionNumber, x.SubmittedAt })
            .FirstOrDefaultAsync(ct);
        if (s is null || !ReceiptNumbers.Matches(key!, s.SecretHash))
        {
            NoMatch = true;
            return;
        }
        Receipt = s.ReceiptNumber;
        Found = new View(s.ReceiptNumber, s.Title, s.FormVersionNumber, Display(s.SubmittedAt));
    }

    /// <summary>"令和7年4月1日（2025-04-01）9:05" in Japan time.</summary>
    public static string Display(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, JapanTime.Zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        return $"{Wareki.Format(date)}（{date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}）{local.ToString("H:mm", System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
