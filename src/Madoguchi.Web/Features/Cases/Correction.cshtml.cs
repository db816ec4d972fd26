using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The applicant's 補正 page, opened with the secret from the e-mail: the staff's message and only the
/// marked questions, prefilled with the current answers. The merged answers go through the same
/// <see cref="AnswerChecker"/> as the form; a posted answer to a question not marked is ignored. A
/// used, unknown or no-longer-open request answers 404 with a friendly page; lookups are rate limited.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.Lookup)]
[NoStore]
public sealed class CorrectionModel(MadoguchiDbContext db, CaseService cases, Lang lang) : PageModel
{
    public FormDefinition Definition { get; private set; } = default!;
    public string ReceiptNumber { get; private set; } = "";
    public string Message { get; private set; } = "";
    /// <summary>The marked questions, in form order.</summary>
    public IReadOnlyList<FormItem> Items { get; private set; } = [];
    /// <summary>Current answers as shown in the inputs (the case's, with what was just posted).</summary>
    public JsonObject Answers { get; private set; } = [];
    public List<AnswerError> Errors { get; private set; } = [];
    /// <summary>Errors on questions the applicant was not asked to correct (a condition now needs them).</summary>
    public List<AnswerError> OtherErrors { get; private set; } = [];
    public bool NotFoundPage { get; private set; }
    /// <summary>The request was closed without an answer (<see cref="CorrectionRequest.Superseded"/> or <see cref="CorrectionRequest.Withdrawn"/>): the page says so.</summary>
    public string? ClosedReason { get; private set; }
    public bool Sent { get; private set; }
    public Language Language => lang.Current;

    private sealed record Loaded(Case Case, CorrectionRequest Request, FormDefinition Definition, JsonObject Answers, HashSet<string> Keys);

    public async Task<IActionResult> OnGetAsync(string secret, CancellationToken ct)
    {
        if (await LoadAsync(secret, ct) is not { } loaded) return Missing();
        Show(loaded);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string secret, CancellationToken ct)
    {
        if (await LoadAsync(secret, ct) is not { } loaded) return Missing();
        Show(loaded);
        var merged = (JsonObject)loaded.Answers.DeepClone();
        foreach (var item in Items)
        {
            // Only the marked questions are read from the post: anything else posted is ignored.
            var value = item switch
            {
                FormField f => FormFilling.FromForm(f, f.Key, Request.Form, []),
                FormGroup g => GroupFromForm(g),
                _ => null,
            };
            var key = item is FormField ff ? ff.Key : ((FormGroup)item).Key;
            if (value is null) merged.Remove(key);
            else merged[key] = value;
        }
        Answers = merged;
        var checkedAnswers = AnswerChecker.Check(loaded.Definition, merged, AnswerChecker.Mode.Lenient);
        var sensitive = SensitivePaths(loaded.Definition);
        foreach (var e in checkedAnswers.Errors)
        {
            var root = Root(e.Field);
            if (loaded.Keys.Contains(root)) Errors.Add(e);
            // Masked sensitive answers cannot be checked again; they were checked when submitted and are not corrected here.
            else if (!sensitive.Contains(root)) OtherErrors.Add(e);
        }
        if (Errors.Count > 0 || OtherErrors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        var corrected = (JsonObject)loaded.Answers.DeepClone();
        foreach (var key in loaded.Keys)
        {
            if (checkedAnswers.Answers[key] is { } v) corrected[key] = v.DeepClone();
            else corrected.Remove(key);
        }
        // Answers of questions the correction hid are dropped, as the form would have; masked sensitive ones stay.
        foreach (var key in corrected.Select(kv => kv.Key).ToList())
        {
            if (!sensitive.Contains(key) && checkedAnswers.Answers[key] is null) corrected.Remove(key);
        }
        var c = loaded.Case;
        c.SearchText = CaseIntake.SearchText(loaded.Definition, corrected);
        var result = await cases.CorrectionAnsweredAsync(c, loaded.Request, corrected.ToJsonString(), ct);
        // Answered meanwhile (a double click, another tab): the first answer stands.
        if (result is not CaseChange.Done) return Missing();
        Sent = true;
        return Page();
    }

    private IActionResult Missing()
    {
        NotFoundPage = true;
        // A link that worked once and was closed by the office is gone for good (410), and says why.
        Response.StatusCode = ClosedReason is null ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone;
        return Page();
    }

    private async Task<Loaded?> LoadAsync(string secret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 64) return null;
        var hash = ReceiptNumbers.Hash(secret.Trim().ToLowerInvariant());
        var request = await db.CorrectionRequests.FirstOrDefaultAsync(r => r.SecretHash == hash && r.AnsweredAt == null, ct);
        if (request is null) return null;
        if (request.ClosedAt is not null)
        {
            ClosedReason = request.ClosedReason ?? CorrectionRequest.Withdrawn;
            return null;
        }
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == request.CaseId, ct);
        if (c is null) return null;
        // Staff moved the case on without waiting (a request left open before requests were closed): it is over.
        var workflow = await cases.WorkflowAsync(c.ProcedureId, ct);
        if (workflow.Find(c.Status)?.Kind != StatusKind.Correction)
        {
            ClosedReason = CorrectionRequest.Withdrawn;
            return null;
        }
        var submission = await db.Submissions.AsNoTracking().Where(s => s.Id == c.Id).Select(s => new { s.FormVersionId, s.AnswersJson, s.Language }).FirstAsync(ct);
        // The applicant's language unless they chose one on this device.
        if (Request.Cookies[Lang.CookieName] is null && Lang.Parse(submission.Language) is { } applied) HttpContext.Items[typeof(Language)] = applied;
        var definition = await PublishedDefinitions.GetAsync(db, submission.FormVersionId, ct);
        var keys = (JsonSerializer.Deserialize<List<string>>(request.FieldsJson) ?? []).ToHashSet(StringComparer.Ordinal);
        ReceiptNumber = c.ReceiptNumber;
        return new Loaded(c, request, definition, JsonNode.Parse(c.AnswersJson ?? submission.AnswersJson) as JsonObject ?? [], keys);
    }

    private void Show(Loaded loaded)
    {
        Definition = loaded.Definition;
        Message = loaded.Request.Message;
        Answers = loaded.Answers;
        Items = [.. loaded.Definition.Pages.SelectMany(p => p.Items).Where(i => i switch
        {
            FormField f => loaded.Keys.Contains(f.Key),
            FormGroup g => loaded.Keys.Contains(g.Key),
            _ => false,
        })];
    }

    private static HashSet<string> SensitivePaths(FormDefinition definition) =>
        [.. definition.Pages.SelectMany(p => p.Items).Select(i => i switch
        {
            FormField f when SensitiveAnswers.IsSensitive(f) || f.Type == FieldType.File => f.Key,
            FormGroup g when g.Fields.Any(f => SensitiveAnswers.IsSensitive(f) || f.Type == FieldType.File) => g.Key,
            _ => null,
        }).OfType<string>()];

    /// <summary>The question an error path belongs to: <c>children[0].childName</c> → <c>children</c>, <c>name.family</c> → <c>name</c>.</summary>
    public static string Root(string path)
    {
        var end = path.IndexOfAny(['[', '.']);
        return end < 0 ? path : path[..end];
    }

    private JsonArray? GroupFromForm(FormGroup group)
    {
        _ = int.TryParse(Request.Form[$"{group.Key}.count"], NumberStyles.None, CultureInfo.InvariantCulture, out var count);
        count = Math.Clamp(count, 0, group.Max);
        var items = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            var o = new JsonObject();
            foreach (var field in group.Fields)
            {
                if (FormFilling.FromForm(field, $"{group.Key}[{i}].{field.Key}", Request.Form, []) is { } v) o[field.Key] = v;
            }
            items.Add(o);
        }
        return items.Count == 0 ? null : new JsonArray([.. items]);
    }

    public IEnumerable<AnswerError> ErrorsOf(string path) => Errors.Where(e => e.Field == path || e.Field.StartsWith(path + ".", StringComparison.Ordinal));

    public int ItemCount(FormGroup group) => Math.Max(Answers[group.Key] is JsonArray a ? a.Count : 0, Math.Max(group.Min, 1));

    /// <summary>The label of the question an error is about, in the page's language (an untranslated one marked as Japanese).</summary>
    public IHtmlContent LabelOf(string path)
    {
        var root = Root(path);
        var label = Definition.Pages.SelectMany(p => p.Items).Select(i => i switch
        {
            FormField f when f.Key == root => f.Label,
            FormGroup g when g.Key == root => g.Label,
            _ => null,
        }).OfType<LocalizedText>().FirstOrDefault();
        return label is null ? new HtmlString(System.Net.WebUtility.HtmlEncode(root)) : FormFilling.Html(label, Language);
    }
}
