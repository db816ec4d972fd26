using Madoguchi.Web.Shared;
using System.Globalization;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// One page of a form. Leaving the page always saves what was typed into the draft (valid or not,
/// so nothing is lost), then checks this page only; the next page depends on the saved answers.
/// Adding and removing group items and attaching files are plain submit buttons, so all of it works
/// without JavaScript. With JavaScript, wwwroot/js/form-fill.js posts the same form with
/// action=autosave (answers only, no files) and gets JSON back.
/// Staff keying a paper application use the same page under their own route (Cases.StaffKeying),
/// which declares its policy there: the residents' route is anonymous, the staff one is not.
/// </summary>
[NoStore]
[RequestFormLimits(MultipartBodyLengthLimit = 60L * 1024 * 1024)]
[RequestSizeLimit(60L * 1024 * 1024)]
// The antiforgery token is checked in OnPostAsync instead of by the filter, whose bare 400 would
// throw away what the resident typed on the page (see Unconfirmed).
[IgnoreAntiforgeryToken]
public sealed class FormFillModel(DraftService drafts, AttachmentStore files, Lang lang, MailOutbox mail, TimeProvider clock, IAntiforgery antiforgery) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Slug { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "step")]
    public string PageKey { get; set; } = "";

    /// <summary>Set on the staff route (Cases.StaffKeying): a paper application keyed by staff.</summary>
    [BindProperty(SupportsGet = true, Name = "procedureId")]
    public Guid? ProcedureId { get; set; }

    [BindProperty(SupportsGet = true, Name = "draftId")]
    public Guid? DraftId { get; set; }

    /// <summary>A member of staff keys a paper application into this draft.</summary>
    public bool Keyed => DraftId is not null && ProcedureId is not null;

    /// <summary>The first part of this draft's page addresses: /forms/{slug} or the staff route.</summary>
    public string Base => Keyed ? Cases.StaffKeying.Base(ProcedureId!.Value, DraftId!.Value) : $"/forms/{Slug}";

    /// <summary>Where "back" leads from the first page.</summary>
    public string StartUrl => Keyed ? $"/staff/ledger/{ProcedureId}/new" : $"/forms/{Slug}";

    public DraftService.Opened Opened { get; private set; } = default!;
    public FormDefinition Definition => Opened.Definition;
    public FormPage Current { get; private set; } = default!;
    public List<FormPage> Visible { get; private set; } = [];
    /// <summary>Answers as typed (shown back in the inputs).</summary>
    public JsonObject Answers { get; private set; } = [];
    /// <summary>Answers as the checker keeps them (conditions are decided on these).</summary>
    public JsonObject Normalised { get; private set; } = [];
    public List<Attachment> Attachments { get; private set; } = [];
    public List<AnswerError> Errors { get; private set; } = [];
    public string? ResumeCode { get; private set; }
    /// <summary>Whether the saved page offers to e-mail the resume link (a mail server is configured).</summary>
    public bool MailEnabled => mail.Enabled;
    /// <summary>The group item a remove button took out on this post, whose files must follow.</summary>
    private (string Group, int Index)? _removedItem;
    /// <summary>Questions to fill again since the draft moved to a newer version of the form.</summary>
    public List<DraftService.Refill> Refill { get; private set; } = [];
    /// <summary>Questions this send brought up (an answer's condition now holds) that still need an answer: announced, not called errors.</summary>
    public List<RevealedQuestion> Revealed { get; private set; } = [];

    /// <summary>A question the last send brought up: its answer path and where it is (in a group item: 家族 2).</summary>
    public sealed record RevealedQuestion(string Key, FormFilling.AnswerPlace Place);
    public Language Language => lang.Current;

    /// <summary>
    /// The post came without a valid antiforgery token (typically a page left open until the browser
    /// dropped its token cookie): what was typed is shown again, not saved, for the resident to send again.
    /// </summary>
    public bool Unconfirmed { get; private set; }

    public int Step => Visible.FindIndex(p => p.Key == Current.Key) + 1;
    public string? BackUrl => Step > 1 ? $"{Base}/{Visible[Step - 2].Key}" : StartUrl;

    public IEnumerable<AnswerError> ErrorsOf(string path) => Errors.Where(e => e.Field == path || e.Field.StartsWith(path + ".", StringComparison.Ordinal));

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct, moveToCurrentVersion: true) is { } redirect) return redirect;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? action, CancellationToken ct)
    {
        // The page posted belongs to the version the draft is pinned to: keep what was typed there first.
        if (await LoadAsync(ct, moveToCurrentVersion: false) is { } redirect) return redirect;
        var form = Request.Form;
        action ??= "next";
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            // Nothing is stored, attached or removed without the token; the draft cookie (SameSite=Lax)
            // already showed that this is the resident's own browser, so their typing is shown back.
            if (action == "autosave") return BadRequest();
            // No button is applied (no item added or removed): only what was typed is shown again.
            TakeTyped(form, "");
            Refresh();
            Unconfirmed = true;
            return Page();
        }
        // Autosave stores typed answers only: a file chosen but not yet attached waits for its button.
        var autosave = action == "autosave";
        // The answers the page was drawn with, to tell the questions the resident saw from those this send brings up;
        // a group item's own conditional fields were drawn by its answers, item by item, as the page drew them.
        var drawn = Normalised;
        var drawnItems = Current.Items.OfType<FormGroup>().ToDictionary(g => g.Key, g => (Answers[g.Key] as JsonArray)?.ToList() ?? []);

        // Uploads and removals first, so the answers below list the files as they now are.
        foreach (var file in form.Files.Where(f => f.Length > 0 && !autosave))
        {
            var field = FileField(file.Name);
            if (field is null) continue;
            await using var content = file.OpenReadStream();
            var saved = await files.SaveAsync(Opened.Draft, field, file.Name, content, file.FileName, ct);
            if (!saved.Ok) Errors.Add(new(file.Name, saved.ErrorCode!, saved.Message!));
        }
        if (!autosave && action.StartsWith("remove-file:", StringComparison.Ordinal) && Guid.TryParse(action["remove-file:".Length..], out var fileId))
        {
            await files.RemoveAsync(Opened.Draft.Id, fileId, ct);
        }
        Attachments = await files.OfDraftAsync(Opened.Draft.Id, ct);

        TakeTyped(form, action);
        if (_removedItem is var (groupKey, removedIndex))
        {
            await files.RemoveGroupItemAsync(Opened.Draft.Id, groupKey, removedIndex, ct);
            Attachments = await files.OfDraftAsync(Opened.Draft.Id, ct);
        }
        if (autosave)
        {
            // Autosave is not a step of the resident's journey: no funnel row for it.
            await drafts.SaveAsync(Opened.Draft, Answers, Current.Key, ct);
            var at = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), JapanTime.Zone);
            return new JsonResult(new { saved = true, time = at.ToString("H:mm", CultureInfo.InvariantCulture) });
        }
        Refresh();
        // The page is checked before the save so that the funnel row for it is in the same transaction.
        var check = action == "next" && Errors.Count == 0
            ? AnswerChecker.Check(Definition, Answers, AnswerChecker.Mode.Lenient, new HashSet<string> { Current.Key })
            : null;
        var next = check is { IsValid: true } ? Visible.SkipWhile(p => p.Key != Current.Key).Skip(1).FirstOrDefault() : null;
        var to = check is not { IsValid: true } ? Current.Key : next?.Key ?? Funnel.FunnelService.CheckPage;
        // A question that was not on the page as sent cannot have been answered: its missing answer is no error (yet).
        var unseen = Current.Items.Where(i => i is FormField or FormGroup && !AnswerChecker.Holds(ShowWhen(i), drawn)).Select(i => i is FormField f ? f.Key : ((FormGroup)i).Key).ToHashSet();
        RevealedQuestion? UnseenInItem(string path)
        {
            if (ItemField(path) is not var (g, i, f) || unseen.Contains(g.Key)) return null;
            var item = drawnItems.GetValueOrDefault(g.Key)?.ElementAtOrDefault(i) as JsonObject;
            return AnswerChecker.Holds(f.ShowWhen, AnswerChecker.NormalisedItem(g, item)) ? null : Question($"{g.Key}[{i}].{f.Key}");
        }
        RevealedQuestion Question(string path) => new(path, FormFilling.Place(Definition, path)!);
        bool Unseen(string path) => unseen.Contains(path.Split('[', '.')[0]) || UnseenInItem(path) is not null;
        var seenErrors = check?.Errors.Where(e => !Unseen(e.Field)).ToList() ?? [];
        await drafts.SaveAsync(Opened.Draft, Answers, Current.Key, ct, new Funnel.FunnelStep(action == "next", [.. Errors, .. seenErrors], to));
        if (await drafts.MoveToCurrentVersionAsync(Opened, ct) is not null)
        {
            // A newer version was published meanwhile: show the page again on it, with what to fill again.
            return Redirect($"{Base}/{Current.Key}");
        }

        // Saved as typed, not checked: the resident goes back to change an earlier answer first.
        if (action == "back" && Errors.Count == 0) return Redirect(BackUrl!);
        // Staff drafts are kept for their owner: no resume code to hand out.
        if (action == "later" && !Keyed)
        {
            ResumeCode = await drafts.NewResumeCodeAsync(Opened.Draft, ct);
            return Page();
        }
        if (action != "next" || Errors.Count > 0) return Page();

        if (!check!.IsValid)
        {
            // Still refused, but the questions just brought up are shown with a notice asking to fill them.
            var waiting = check.Errors.Select(e => e.Field.Split('[', '.')[0]).Where(unseen.Contains).ToHashSet();
            Revealed = [.. Current.Items.Where(i => i is FormField f && waiting.Contains(f.Key) || i is FormGroup g && waiting.Contains(g.Key))
                .Select(i => Question(i is FormField f ? f.Key : ((FormGroup)i).Key)),
                .. check.Errors.Select(e => UnseenInItem(e.Field)).OfType<RevealedQuestion>().DistinctBy(r => r.Key)];
            Errors.AddRange(seenErrors);
            return Page();
        }
        return Redirect(next is null ? $"{Base}/check" : $"{Base}/{next.Key}");
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct, bool moveToCurrentVersion)
    {
        DraftService.Opened? opened;
        if (Keyed)
        {
            // Another member of staff's draft, or a procedure no longer theirs, is not there at all.
            opened = await Cases.StaffKeying.OpenAsync(HttpContext, drafts, ProcedureId!.Value, DraftId!.Value, ct);
            if (opened is null) return NotFound();
            Slug = opened.Slug;
        }
        else
        {
            opened = FormFilling.ReadCookie(Request, Slug) is { } c ? await drafts.OpenAsync(c.Id, c.Secret, ct) : null;
        }
        // No draft of this form on this device: back to the start page, never someone else's answers.
        if (opened is null || opened.Slug != Slug) return Redirect($"/forms/{Uri.EscapeDataString(Slug)}");
        // A signed-in resident's draft opens only with the same resident's sign-in.
        if (!await Applicants.ApplicantsModule.MayOpenAsync(HttpContext, opened.Draft)) return Redirect($"/forms/{Uri.EscapeDataString(Slug)}?signin=again");
        if (moveToCurrentVersion) opened = await drafts.MoveToCurrentVersionAsync(opened, ct) ?? opened;
        Opened = opened;
        Answers = await drafts.AnswersAsync(opened.Draft, ct);
        Refresh();
        var page = Visible.FirstOrDefault(p => p.Key == PageKey);
        if (page is null) return Redirect(Visible.Count == 0 ? $"{Base}/check" : $"{Base}/{Visible[0].Key}");
        Current = page;
        Attachments = await files.OfDraftAsync(opened.Draft.Id, ct);
        return null;
    }

    private void Refresh()
    {
        Normalised = AnswerChecker.Check(Definition, Answers, AnswerChecker.Mode.Lenient).Answers;
        Visible = [.. Definition.Pages.Where(p => AnswerChecker.Holds(p.ShowWhen, Normalised))];
        Refill = DraftService.PendingRefill(Opened.Draft, Definition, Answers, Visible);
    }

    /// <summary>
    /// Puts this page's inputs into <see cref="Answers"/>, with a group's add or remove button
    /// (<paramref name="action"/>) applied; answers prefilled from the resident's sign-in stay as they were.
    /// </summary>
    private void TakeTyped(IFormCollection form, string action)
    {
        var before = Answers.DeepClone().AsObject();
        foreach (var item in Current.Items)
        {
            switch (item)
            {
                case FormField field:
                    Set(Answers, field.Key, FormFilling.FromForm(field, field.Key, form, Attachments));
                    break;
                case FormGroup group:
                    Set(Answers, group.Key, GroupFromForm(group, form, action));
                    break;
            }
        }
        Applicants.ApplicantPrefill.KeepLocked(Definition, Opened.Draft, before, Answers);
    }

    /// <summary>The file field (on this page) an upload input belongs to: <c>key</c> or <c>group[i].key</c>.</summary>
    private FormField? FileField(string name)
    {
        foreach (var item in Current.Items)
        {
            if (item is FormField { Type: FieldType.File } f && f.Key == name) return f;
            if (item is FormGroup g && name.StartsWith(g.Key + "[", StringComparison.Ordinal))
            {
                var field = g.Fields.FirstOrDefault(x => x.Type == FieldType.File && name.EndsWith("]." + x.Key, StringComparison.Ordinal));
                if (field is not null) return field;
            }
        }
        return null;
    }

    /// <summary>The items of a group from <c>group[i].field</c> inputs, with the add or remove button applied.</summary>
    private JsonArray? GroupFromForm(FormGroup group, IFormCollection form, string action)
    {
        _ = int.TryParse(form[$"{group.Key}.count"], NumberStyles.None, CultureInfo.InvariantCulture, out var count);
        count = Math.Clamp(count, 0, group.Max);
        var items = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            var o = new JsonObject();
            foreach (var field in group.Fields)
            {
                if (FormFilling.FromForm(field, $"{group.Key}[{i}].{field.Key}", form, Attachments) is { } v) o[field.Key] = v;
            }
            items.Add(o);
        }
        if (action == $"add:{group.Key}" && items.Count < group.Max) items.Add([]);
        if (action.StartsWith($"remove:{group.Key}:", StringComparison.Ordinal)
            && int.TryParse(action[$"remove:{group.Key}:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < items.Count)
        {
            items.RemoveAt(index);
            _removedItem = (group.Key, index);
        }
        return items.Count == 0 ? null : new JsonArray([.. items]);
    }

    /// <summary>
    /// A condition the browser can follow as the resident answers: on a field of the same page (or, for a
    /// group's field, of the same item) whose posted value is its stored value, i.e. a choice, or any single
    /// input for "filled". The question is then drawn either way, hidden while the condition does not hold,
    /// and form-fill.js shows or hides it at once; the server decides as before, and without JavaScript
    /// a hidden question stays hidden until the page is sent.
    /// </summary>
    public static FormField? LiveControl(FormCondition? condition, IEnumerable<FormField> siblings)
    {
        if (condition is null) return null;
        var control = siblings.FirstOrDefault(f => f.Key == condition.Field);
        return control?.Type switch
        {
            FieldType.Radio or FieldType.Select or FieldType.Checkbox => control,
            FieldType.Text or FieldType.LongText or FieldType.Email or FieldType.Phone or FieldType.Number when condition.Operator == ConditionOperator.Filled => control,
            _ => null,
        };
    }

    /// <summary>The fields of this page outside groups: what a question's live condition may test.</summary>
    public IEnumerable<FormField> PageFields => Current.Items.OfType<FormField>();

    /// <summary>The group of this page, the item's position and the field a path <c>group[i].field…</c> names; null for other paths.</summary>
    private (FormGroup Group, int Index, FormField Field)? ItemField(string path)
    {
        if (FormFilling.ItemPath(path) is not { Index: int index } inItem) return null;
        var group = Current.Items.OfType<FormGroup>().FirstOrDefault(g => g.Key == inItem.Group);
        var key = inItem.After.Split('.')[0];
        return group?.Fields.FirstOrDefault(f => f.Key == key) is { } field ? (group, index, field) : null;
    }

    private static FormCondition? ShowWhen(FormItem item) => item switch
    {
        FormField f => f.ShowWhen,
        FormGroup g => g.ShowWhen,
        _ => null,
    };

    private static void Set(JsonObject answers, string key, JsonNode? value)
    {
        if (value is null) answers.Remove(key);
        else answers[key] = value;
    }

    /// <summary>How many items of a group to show: those saved, at least the minimum and at least one.</summary>
    public int ItemCount(FormGroup group) => Math.Max(Answers[group.Key] is JsonArray a ? a.Count : 0, Math.Max(group.Min, 1));

    public JsonNode? Value(string key, int? index = null, string? groupKey = null) =>
        groupKey is null ? Answers[key] : (Answers[groupKey] as JsonArray)?.ElementAtOrDefault(index ?? 0)?[key];

    public DateTimeOffset ExpiresAt => Opened.Draft.ExpiresAt;
}
