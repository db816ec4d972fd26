using Madoguchi.Web.Data;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;
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
[NoStore]
public sealed class StatusModel(MadoguchiDbContext db, Shared.Localization.Lang lang) : PageModel
{
    /// <param name="FormTitle">The title of the version applied on, in every language it has (the page picks the reader's).</param>
    public sealed record View(string ReceiptNumber, Forms.LocalizedText FormTitle, int Version, string SubmittedAt);

    /// <summary>One public step of the case: 受付, a status, a 補正依頼 (with its message, open or not), 補正済み.</summary>
    public sealed record Step(string Kind, string At, string? Status, string Text, bool CorrectionOpen);

    /// <summary>The case's public steps, oldest first; the status in the page's language.</summary>
    public IReadOnlyList<Step> Steps { get; private set; } = [];
    public string? CurrentStatus { get; private set; }
    /// <summary>Still in the workflow's first status: the page says 受付済み as before any handling.</summary>
    public bool AtStart { get; private set; }

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
            .Select(x => new { x.Id, x.ReceiptNumber, x.SecretHash, x.FormVersionId, x.FormVersionNumber, x.SubmittedAt })
            .FirstOrDefaultAsync(ct);
        if (s is null || !ReceiptNumbers.Matches(key!, s.SecretHash))
        {
            NoMatch = true;
            return;
        }
        Receipt = s.ReceiptNumber;
        var definition = await PublishedDefinitions.GetAsync(db, s.FormVersionId, ct);
        Found = new View(s.ReceiptNumber, definition.Title, s.FormVersionNumber, ResidentFormat.DateTime(s.SubmittedAt, lang.Current));
        await StepsAsync(s.Id, ct);
    }

    /// <summary>
    /// The holder of the status key opens the open 補正 from here too (the e-mail may be lost): the
    /// request gets a new secret (only its hash is kept, so the mailed one cannot be shown again; it
    /// stops working) and the applicant goes to the 補正 page with it.
    /// </summary>
    public async Task<IActionResult> OnPostCorrectAsync(CancellationToken ct)
    {
        await OnGetAsync(ct);
        if (Found is null) return Page();
        var caseId = await db.Submissions.AsNoTracking().Where(x => x.ReceiptNumber == Found.ReceiptNumber).Select(x => x.Id).FirstAsync(ct);
        var request = Steps.Any(s => s.CorrectionOpen)
            ? await db.CorrectionRequests.Where(r => r.CaseId == caseId && r.AnsweredAt == null && r.ClosedAt == null).OrderByDescending(r => r.RequestedAt).FirstOrDefaultAsync(ct)
            : null;
        if (request is null) return Page();
        var secret = ReceiptNumbers.NewSecret();
        request.SecretHash = ReceiptNumbers.Hash(secret);
        await db.SaveChangesAsync(ct);
        return Redirect($"/corrections/{secret}");
    }

    private async Task StepsAsync(Guid caseId, CancellationToken ct)
    {
        var c = await db.Cases.AsNoTracking().Where(x => x.Id == caseId).Select(x => new { x.Status, x.ProcedureId }).FirstOrDefaultAsync(ct);
        if (c is null) return;
        var language = Shared.Localization.Lang.Code(lang.Current);
        var workflow = Cases.CaseWorkflow.FromSettings(await db.LedgerSettings.AsNoTracking().Where(x => x.ProcedureId == c.ProcedureId).Select(x => x.WorkflowJson).FirstOrDefaultAsync(ct));
        CurrentStatus = workflow.Name(c.Status, language);
        AtStart = c.Status == workflow.Start;
        var events = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == caseId && e.Public).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        var openCorrection = workflow.Find(c.Status)?.Kind == Cases.StatusKind.Correction;
        var lastRequest = events.LastOrDefault(e => e.Kind == Cases.CaseEventKinds.CorrectionRequested);
        // Only what the applicant should read: staff comments on a status change and the 補正 message; actor names stay inside.
        Steps = [.. events.Select(e => new Step(e.Kind, ResidentFormat.DateTime(e.At, lang.Current), e.ToStatus is null ? null : workflow.Name(e.ToStatus, language), e.Text,
            openCorrection && e == lastRequest))];
    }

}
