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

    /// <summary>An anonymous start of a form that requires sign-in (Features/Applicants) was refused.</summary>
    public bool SignInRefused { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var version = await forms.CurrentVersionAsync(Slug, ct);
        if (version is null) return NotFound();
        Definition = await PublishedDefinitions.GetAsync(db, version.Id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await forms.CurrentVersionAsync(Slug, ct) is { } current && await PublishedDefinitions.GetAsync(db, current.Id, ct) is var definitionNow
            && !Applicants.SignInOffer.AnonymousAllowed(definitionNow))
        {
            // Only through the provider: the sign-in callback starts the draft of a verified resident.
            Definition = definitionNow;
            SignInRefused = true;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        var started = await drafts.StartAsync(Slug, Lang.Code(lang.Current), ct);
        if (started is not { } s) return NotFound();
        FormFilling.WriteCookie(Response, s.Draft.Id, s.Secret);
        var definition = await PublishedDefinitions.GetAsync(db, s.Draft.FormVersionId, ct);
        var first = FormFilling.VisiblePages(definition, []).FirstOrDefault();
        return Redirect(first is null ? $"/forms/{Slug}/check" : $"/forms/{Slug}/{first.Key}");
    }
}
