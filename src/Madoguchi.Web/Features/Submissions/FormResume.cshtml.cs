using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Opens a saved draft on this device from its resume code; guesses are rate limited like status
/// lookups. The e-mailed link (?code=…) only fills the code in: opening the draft waits for the
/// resident's POST, because mail scanners follow links and would otherwise use up the one-time code.
/// </summary>
[AllowAnonymous]
[NoStore]
[EnableRateLimiting(RateLimits.Lookup)]
public sealed class FormResumeModel(DraftService drafts) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    /// <summary>The page was opened from the e-mailed link: the code is already filled in.</summary>
    public bool FromLink => HttpMethods.IsGet(Request.Method) && !string.IsNullOrWhiteSpace(Code);

    public bool NoMatch { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var resumed = await drafts.ResumeAsync(Code, ct);
        if (resumed is not { } r)
        {
            NoMatch = true;
            return Page();
        }
        FormFilling.WriteCookie(Response, r.Opened.Slug, r.Opened.Draft.Id, r.Secret);
        var page = r.Opened.Draft.CurrentPage ?? r.Opened.Definition.Pages.FirstOrDefault()?.Key ?? "check";
        return Redirect($"/forms/{r.Opened.Slug}/{page}");
    }
}
