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
[NoStore]
// Each start writes a draft row: limited like submissions so an anonymous loop cannot fill the database.
[EnableRateLimiting(RateLimits.Submit)]
public sealed class FormStartModel(MadoguchiDbContext db, PublishedForms forms, DraftService drafts, Lang lang, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Slug { get; set; } = "";

    public FormDefinition? Definition { get; private set; }
    /// <summary>True when staff stopped new applications: the page says so instead of offering a start.</summary>
    public bool Closed { get; private set; }

    /// <summary>An anonymous start of a form that requires sign-in (Features/Applicants) was refused.</summary>
    public bool SignInRefused { get; private set; }

    /// <summary>The form's intake rules and whether residents can apply now; null when the form has none.</summary>
    public Intake.IntakeNotice? Intake { get; private set; }

    /// <summary>This browser's unfinished, unexpired draft of this form: the page offers to continue it first.</summary>
    public DraftService.Opened? InProgress { get; private set; }

    /// <summary>Where continuing leads: the first page with a missing answer, or the check page (through <see cref="OnGetContinueAsync"/> when answers are sealed).</summary>
    public string? ContinueUrl { get; private set; }

    /// <summary><c>restart</c> when the resident chose to throw the draft in progress away and start again.</summary>
    [BindProperty(Name = "action")]
    public string? Action { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (version, stopped) = await forms.OpeningAsync(db, Slug, ct);
        if (stopped)
        {
            Closed = true;
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }
        if (version is null) return NotFound();
        Definition = version.Definition;
        if (Definition.Intake is { } rules)
        {
            var (state, taken) = await Madoguchi.Web.Features.Intake.IntakeGate.StateAsync(db, version.FormId, rules, clock.GetUtcNow(), ct);
            Intake = new(rules, state, taken);
        }
        InProgress = await OpenInProgressAsync(ct);
        if (InProgress is not null) ContinueUrl = await ContinueUrlAsync(InProgress, ct);
        return Page();
    }

    /// <summary>
    /// 続きから入力する of a draft with sealed answers: the page to continue on is worked out when the
    /// resident presses it, which reads (and audits) the 個人番号 or account they are about to see again anyway.
    /// </summary>
    public async Task<IActionResult> OnGetContinueAsync(CancellationToken ct)
    {
        if (await OpenInProgressAsync(ct) is not { } opened) return Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
        return Redirect(PageUrl(opened, await drafts.AnswersAsync(opened.Draft, ct, "申請者が続きから入力するため")));
    }

    private async Task<DraftService.Opened?> OpenInProgressAsync(CancellationToken ct)
    {
        var opened = FormFilling.ReadCookie(Request, Slug) is { } c ? await drafts.OpenAsync(c.Id, c.Secret, ct) : null;
        // The cookie of earlier releases may hold another form's draft; a signed-in resident's draft needs their sign-in.
        if (opened is null || opened.Slug != Slug || !await Applicants.ApplicantsModule.MayOpenAsync(HttpContext, opened.Draft)) return null;
        return opened;
    }

    /// <summary>
    /// Where 続きから入力する leads, worked out without reading sealed answers: merely opening the start page
    /// must not decrypt a 個人番号. Without sealed answers the stored answers are all the answers; with some
    /// (a wrong 個人番号 saved as typed keeps the resident on its page, a condition may test a sensitive
    /// answer) the link goes through <see cref="OnGetContinueAsync"/>, which works the page out when pressed.
    /// </summary>
    private async Task<string> ContinueUrlAsync(DraftService.Opened opened, CancellationToken ct)
        => await drafts.HasSealedAnswersAsync(opened.Draft, ct)
            ? $"/forms/{Uri.EscapeDataString(Slug)}?handler=continue"
            : PageUrl(opened, DraftService.StoredAnswers(opened.Draft));

    /// <summary>The first page with a missing answer, or the check page.</summary>
    private string PageUrl(DraftService.Opened opened, System.Text.Json.Nodes.JsonObject answers)
        => $"/forms/{Uri.EscapeDataString(Slug)}/{FormFilling.ContinuePage(opened.Definition, answers, opened.Draft.CurrentPage) ?? "check"}";

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        // A start button of a page opened before the draft was started (another tab, the back button)
        // continues it: only the clearly worded "start again" button throws answers away (unread).
        InProgress = await OpenInProgressAsync(ct);
        if (InProgress is not null && Action != "restart") return Redirect(await ContinueUrlAsync(InProgress, ct));
        // Outside the period or when full, no draft is started: the start page says why.
        var current = await forms.ForNewDraftAsync(db, Slug, ct);
        var definitionNow = current?.Definition;
        if (current is not null && definitionNow!.Intake is { } rules
            && (await Madoguchi.Web.Features.Intake.IntakeGate.StateAsync(db, current.FormId, rules, clock.GetUtcNow(), ct)).State != Madoguchi.Web.Features.Intake.IntakeGate.State.Open)
        {
            return Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
        }
        if (definitionNow is not null && !Applicants.SignInOffer.AnonymousAllowed(definitionNow))
        {
            // Only through the provider: the sign-in callback starts the draft of a verified resident.
            Definition = definitionNow;
            SignInRefused = true;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        var started = await drafts.StartAsync(Slug, Lang.Code(lang.Current), ct);
        if (started is not { } s) return await OnGetAsync(ct);
        if (InProgress is not null) await drafts.DiscardAsync(InProgress.Draft, ct);
        FormFilling.WriteCookie(Response, Slug, s.Draft.Id, s.Secret);
        var definition = await PublishedDefinitions.GetAsync(db, s.Draft.FormVersionId, ct);
        var first = FormFilling.VisiblePages(definition, []).FirstOrDefault();
        return Redirect(first is null ? $"/forms/{Slug}/check" : $"/forms/{Slug}/{first.Key}");
    }
}
