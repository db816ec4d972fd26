using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Madoguchi.Web.Shared;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>The start page of a published form: what it is for, what to have at hand, how long a draft is kept.</summary>
[AllowAnonymous]
[ResponseCache(NoStore = true)]
// Each start writes a draft row: limited like submissions so an anonymous loop cannot fill the database.
[EnableRateLimiting(RateLimits.Submit)]
public sealed class FormStartModel(MadoguchiDbContext db, FormService forms, DraftService drafts, Lang lang) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Slug { get; set; } = "";

    public FormDefinition? Definition { get; private set; }
    /// <summary>True when staff stopped new applications: the page says so instead of offering a start.</summary>
    public bool Closed { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var version = await forms.CurrentVersionAsync(Slug, ct);
        if (version is null && await forms.IsUnpublishedAsync(Slug, ct))
        {
            Closed = true;
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }
        if (version is null) return NotFound();
        Definition = await PublishedDefinitions.GetAsync(db, version.Id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var started = await drafts.StartAsync(Slug, Lang.Code(lang.Current), ct);
        if (started is not { } s) return await OnGetAsync(ct);
        FormFilling.WriteCookie(Response, s.Draft.Id, s.Secret);
        var definition = await PublishedDefinitions.GetAsync(db, s.Draft.FormVersionId, ct);
        var first = FormFilling.VisiblePages(definition, []).FirstOrDefault();
        return Redirect(first is null ? $"/forms/{Slug}/check" : $"/forms/{Slug}/{first.Key}");
    }
}
