using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// "Save and continue later" by e-mail: a new resume code for the draft on this device (it replaces
/// the code shown before, so the page shows the one that was mailed) sent as a link that opens the
/// draft on another device. Rate limited like resume codes: each POST mails a stranger's address
/// at most as often as a code may be guessed.
/// </summary>
[AllowAnonymous]
[NoStore]
[EnableRateLimiting(RateLimits.Lookup)]
public sealed class FormSaveModel(DraftService drafts, ResidentMail mail, Lang lang) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>The form whose draft to save: each form has its own draft cookie.</summary>
    [BindProperty]
    public string? Slug { get; set; }

    public DraftService.Opened? Opened { get; private set; }
    public string? ResumeCode { get; private set; }
    public bool Sent { get; private set; }
    /// <summary>An address was given but no mail server is configured.</summary>
    public bool MailOff { get; private set; }
    public FieldMessage? EmailError { get; private set; }
    public Language Language => lang.Current;

    public IActionResult OnGet() => Redirect("/forms/resume");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Opened = Slug is not null && FormFilling.ReadCookie(Request, Slug) is { } c ? await drafts.OpenAsync(c.Id, c.Secret, ct) : null;
        if (Opened is null || Opened.Slug != Slug) return Redirect("/forms/resume");
        // The address is optional: without one the page just shows a fresh code.
        var email = FieldInput.IsBlank(Email) ? null : EmailField.Validate(Email);
        if (email is { IsValid: false })
        {
            // The code shown before stays valid: nothing was replaced.
            EmailError = email.Error.Message;
            return Page();
        }
        ResumeCode = await drafts.NewResumeCodeAsync(Opened.Draft, ct);
        if (email is { IsValid: true, Value: var address })
        {
            Email = address;
            Sent = await mail.SendResumeLinkAsync(Opened.Draft, ResumeCode, address, ct);
            MailOff = !Sent;
        }
        return Page();
    }
}

/// <summary>The e-mail form of the saved page: the address to show back and its error, if any.</summary>
public sealed record ResumeMailForm(string Slug, string? Email, Microsoft.AspNetCore.Html.IHtmlContent? Error);
