using Madoguchi.Web.Shared;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Check your answers, then submit. Submitting is idempotent: the key is derived from the draft, so
/// a double click or a resent page makes one submission and shows the same receipt.
/// Staff keying a paper application submit here too, under their own route (Cases.StaffKeying),
/// which declares its policy there: the residents' route is anonymous, the staff one is not.
/// </summary>
[NoStore]
// On the page, not the handler: rate limiting reads endpoint metadata, which a Razor Page takes from its class.
[EnableRateLimiting(Shared.RateLimits.Submit)]
public sealed class FormCheckModel(DraftService drafts, AttachmentStore files, SubmissionService submissions, Lang lang) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Slug { get; set; } = "";

    /// <summary>Set on the staff route (Cases.StaffKeying): a paper application keyed by staff.</summary>
    [BindProperty(SupportsGet = true, Name = "procedureId")]
    public Guid? ProcedureId { get; set; }

    [BindProperty(SupportsGet = true, Name = "draftId")]
    public Guid? DraftId { get; set; }

    public bool Keyed => DraftId is not null && ProcedureId is not null;

    /// <summary>The first part of this draft's page addresses: /forms/{slug} or the staff route.</summary>
    public string Base => Keyed ? Cases.StaffKeying.Base(ProcedureId!.Value, DraftId!.Value) : $"/forms/{Slug}";

    public DraftService.Opened? Opened { get; private set; }
    public List<FormPage> Visible { get; private set; } = [];
    public JsonObject Normalised { get; private set; } = [];
    /// <summary>The answers as saved, group items empty or not, as the fill pages draw them.</summary>
    public JsonObject Answers { get; private set; } = [];
    public List<Attachment> Attachments { get; private set; } = [];
    /// <summary>The fees that apply to these answers (on visible pages, conditions holding), in form order.</summary>
    public List<FeeDisplay> Fees { get; private set; } = [];
    /// <summary>What the fees come to; null when a fee per unit has no count answered (its field hidden).</summary>
    public long? FeeTotal => Fees.Aggregate((long?)0, (sum, fee) => sum + FeeAmounts.Amount(fee, Normalised));
    public IReadOnlyList<AnswerError> Errors { get; private set; } = [];
    public SubmissionService.Result.Accepted? Receipt { get; private set; }
    public string? FormTitle { get; private set; }
    public Language Language => lang.Current;

    /// <summary>The visible page holding an answer path, for the "change" link of an error.</summary>
    public string PageOf(string path)
    {
        var key = path.Split('[', '.')[0];
        var page = Visible.FirstOrDefault(p => p.Items.Any(i => i is FormField f && f.Key == key || i is FormGroup g && g.Key == key));
        return $"{Base}/{(page ?? Visible.FirstOrDefault())?.Key}#{FormFilling.Id(path)}";
    }

    /// <summary>
    /// The number the fill page gives the <paramref name="index"/>-th kept item of a group: empty items
    /// are not kept, but the page still draws them, so 家族 2 stays 家族 2 here and in the errors.
    /// </summary>
    public int ItemNumber(FormGroup group, int index)
    {
        ArgumentNullException.ThrowIfNull(group);
        var kept = (Answers[group.Key] as JsonArray ?? []).Select((item, i) => (item, i)).Where(x => !AnswerChecker.IsEmpty(x.item)).Select(x => x.i).ToList();
        return (index < kept.Count ? kept[index] : index) + 1;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct, moveToCurrentVersion: true)) return Keyed ? NotFound() : Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
        Errors = AnswerChecker.Check(Opened!.Definition, Answers, AnswerChecker.Mode.Lenient).Errors;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Keyed) return await PostKeyedAsync(ct);
        var cookie = FormFilling.ReadCookie(Request, Slug);
        if (cookie is null) return Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
        var key = FormFilling.IdempotencyKey(cookie.Value.Id, cookie.Value.Secret);
        if (!await LoadAsync(ct, moveToCurrentVersion: false))
        {
            // The draft is gone once submitted: a resent submit finds the submission by its key.
            Receipt = await submissions.FindAsync(Slug, key, ct);
            if (Receipt is null) return Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
            return Done();
        }
        // A newer version was published since these answers were checked: move the draft and show them again.
        if (await drafts.MoveToCurrentVersionAsync(Opened!, ct) is not null) return Redirect($"/forms/{Uri.EscapeDataString(Slug)}/check");
        var result = await submissions.SubmitAsync(Slug, Opened!.Draft.FormVersionNumber, await drafts.AnswersAsync(Opened.Draft, ct), AnswerChecker.Mode.Lenient,
            Lang.Code(lang.Current), key, "web", ct, fromDraftId: Opened.Draft.Id);
        switch (result)
        {
            case SubmissionService.Result.Accepted accepted:
                Receipt = accepted;
                return Done();
            case SubmissionService.Result.Refused refused:
                Errors = refused.Errors;
                return Page();
            case SubmissionService.Result.Limited limited:
                // The draft is kept: a resident refused for the period or a limit can still read what they wrote.
                Errors = [new AnswerError(limited.Refusal.Field ?? "", limited.Refusal.Code, limited.Refusal.Message)];
                return Page();
            default:
                return Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
        }
    }

    /// <summary>A paper application keyed by staff: the same checks and writer, with its channel, keyer and date of receipt.</summary>
    private async Task<IActionResult> PostKeyedAsync(CancellationToken ct)
    {
        var key = Cases.StaffKeying.IdempotencyKey(DraftId!.Value);
        if (!await LoadAsync(ct, moveToCurrentVersion: false))
        {
            // Submitted already (the draft is gone): the same receipt, if it is this procedure's and still theirs.
            Receipt = await submissions.FindAsync(null, key, ct);
            if (Receipt is null || !await Cases.StaffKeying.IsOfProcedureAsync(HttpContext, Receipt.Submission.FormId, ProcedureId!.Value, ct)) return NotFound();
            return Page();
        }
        if (await drafts.MoveToCurrentVersionAsync(Opened!, ct) is not null) return Redirect($"{Base}/check");
        if (!Cases.StaffKeying.ReceivedOnAllowed(Opened!.Draft))
        {
            // The draft (and the typed answers) stay; the error leads to the page that changes its 受付日.
            Errors = [ReceivedOnError($"受付日 {Cases.StaffKeying.Iso(Opened.Draft.KeyedReceivedOn!.Value)} は1年以上前の日付のため、申請として登録できません。受付日を直してください（年の打ち間違いがないか確かめてください）。")];
            return Page();
        }
        var start = await Cases.StaffKeying.StartAsync(HttpContext, Opened!.Draft, ct);
        var result = await submissions.SubmitAsync(Slug, Opened.Draft.FormVersionNumber, await drafts.AnswersAsync(Opened.Draft, ct, "職員による紙の申請の入力"), AnswerChecker.Mode.Lenient,
            Opened.Draft.Language, key, "staff", ct, fromDraftId: Opened.Draft.Id, keyed: start);
        switch (result)
        {
            case SubmissionService.Result.Accepted accepted:
                Receipt = accepted;
                return Page();
            case SubmissionService.Result.Refused refused:
                Errors = refused.Errors;
                return Page();
            case SubmissionService.Result.Limited { Refusal.Code: "not-open-yet" or "closed" } outside when Opened.Draft.KeyedReceivedOn is { } day:
                // The period is checked at the 受付日, which staff may have mistyped: said so, with the way to change it.
                Errors = [ReceivedOnError($"受付日 {Cases.StaffKeying.Iso(day)} は受付期間の外です。{outside.Refusal.Message.Ja}受付日が正しいか確かめてください。")];
                return Page();
            case SubmissionService.Result.Limited limited:
                Errors = [new AnswerError(limited.Refusal.Field ?? "", limited.Refusal.Code, limited.Refusal.Message)];
                return Page();
            default:
                return NotFound();
        }
    }

    /// <summary>A refusal of a keyed draft's 受付日 (staff pages are in Japanese only); <see cref="LinkOf"/> leads it to the change page.</summary>
    private static AnswerError ReceivedOnError(string why) => new("", ReceivedOnCode, new Shared.Japanese.FieldMessage(why, why, why));

    private const string ReceivedOnCode = "received-on";

    /// <summary>Where an error of the summary leads: the page of its answer, or for a keyed draft's 受付日 the page that changes it.</summary>
    public string LinkOf(AnswerError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Keyed && error.Code == ReceivedOnCode ? $"{Base}#Input_ReceivedOn" : PageOf(error.Field);
    }

    private PageResult Done()
    {
        FormFilling.ClearCookie(Response, Slug);
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct, bool moveToCurrentVersion)
    {
        var opened = Keyed ? await Cases.StaffKeying.OpenAsync(HttpContext, drafts, ProcedureId!.Value, DraftId!.Value, ct)
            : FormFilling.ReadCookie(Request, Slug) is { } c ? await drafts.OpenAsync(c.Id, c.Secret, ct) : null;
        if (opened is not null && Keyed) Slug = opened.Slug;
        if (opened is null || opened.Slug != Slug) return false;
        if (!await Applicants.ApplicantsModule.MayOpenAsync(HttpContext, opened.Draft)) return false;
        if (moveToCurrentVersion) opened = await drafts.MoveToCurrentVersionAsync(opened, ct) ?? opened;
        Opened = opened;
        Answers = await drafts.AnswersAsync(opened.Draft, ct);
        Normalised = AnswerChecker.Check(opened.Definition, Answers, AnswerChecker.Mode.Lenient).Answers;
        Visible = [.. opened.Definition.Pages.Where(p => AnswerChecker.Holds(p.ShowWhen, Normalised))];
        Fees = [.. Visible.SelectMany(p => p.Items).OfType<FeeDisplay>().Where(f => AnswerChecker.Holds(f.ShowWhen, Normalised))];
        Attachments = await files.OfDraftAsync(opened.Draft.Id, ct);
        FormTitle = opened.Definition.Title.Plain(lang.Current);
        return true;
    }
}
