using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Drafts outlive versions: a draft pinned to version N, opened after N+k was published, is carried
/// version by version through each step's declared changes (docs/forms-format.md, "Changes between
/// versions") and re-pinned to the current version, and the resident is told which questions to fill
/// again. Submissions already made keep their version; only drafts move.
/// </summary>
public sealed partial class DraftService
{
    /// <summary>A question to fill again: its answer path, page, label and (inside a group) the item.</summary>
    public sealed record Refill(string Path, string PageKey, LocalizedLabel Label);

    /// <summary>The label of a field, with its group's item label and number when inside a group.</summary>
    public sealed record LocalizedLabel(LocalizedText Field, LocalizedText? Item, int? Number);

    /// <summary>
    /// Moves the draft to the form's current version when it is pinned to an older one; null when it is
    /// already current. Answers (sealed ones included), attachments and the page reached are carried
    /// over in one transaction; files of removed file fields are deleted after it.
    /// </summary>
    public async Task<Opened?> MoveToCurrentVersionAsync(Opened opened, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(opened);
        var draft = opened.Draft;
        var current = await db.Forms.Where(f => f.Id == draft.FormId).Select(f => f.CurrentVersion).SingleAsync(ct);
        if (current is not int to || draft.FormVersionNumber >= to) return null;
        var versions = await db.FormVersions.AsNoTracking()
            .Where(v => v.FormId == draft.FormId && v.Number >= draft.FormVersionNumber && v.Number <= to)
            .OrderBy(v => v.Number).Select(v => v.Id).ToListAsync(ct);
        var chain = new List<FormDefinition>();
        foreach (var id in versions) chain.Add(await PublishedDefinitions.GetAsync(db, id, ct));

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Claim the move first: of two requests opening the draft at once, one moves it and the other
        // finds it moved (moving it twice would read the moved answers as if they were the old ones).
        var claimed = await db.Drafts.Where(d => d.Id == draft.Id && d.FormVersionNumber == draft.FormVersionNumber)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.FormVersionNumber, to), ct);
        if (claimed == 0)
        {
            await tx.RollbackAsync(ct);
            await db.Entry(draft).ReloadAsync(ct);
            return opened with { Definition = await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct) };
        }
        // Answers saved by another request since this one loaded the draft are the ones to carry over.
        await db.Entry(draft).ReloadAsync(ct);

        var answers = await AnswersAsync(draft, ct, "下書きを新しい版のフォームへ移すため");
        for (var i = 1; i < chain.Count; i++) answers = VersionChanges.Migrate(chain[i - 1], chain[i], answers);

        var files = await db.Attachments.Where(a => a.DraftId == draft.Id && a.SubmissionId == null).ToListAsync(ct);
        var dropped = new List<Attachment>();
        foreach (var file in files)
        {
            string? path = file.FieldKey;
            for (var i = 1; i < chain.Count && path is not null; i++) path = VersionChanges.MapPath(chain[i - 1], chain[i], path);
            if (path is null) dropped.Add(file);
            else file.FieldKey = path;
        }
        db.Attachments.RemoveRange(dropped);

        var target = chain[^1];
        var page = target.Pages.Any(p => p.Key == draft.CurrentPage) ? draft.CurrentPage : null;
        var refill = ToFillAgain(target, VersionChanges.Added(chain), answers, draft.CurrentPage);
        // Questions still pending from an earlier move stay asked, under their new paths.
        List<string> earlierPaths = draft.RefillPaths is null ? [] : JsonSerializer.Deserialize<List<string>>(draft.RefillPaths) ?? [];
        foreach (var earlier in earlierPaths)
        {
            string? path = earlier;
            for (var i = 1; i < chain.Count && path is not null; i++) path = VersionChanges.MapPath(chain[i - 1], chain[i], path);
            if (path is not null && !refill.Contains(path)) refill.Add(path);
        }
        draft.FormVersionId = versions[^1];
        draft.FormVersionNumber = to;
        draft.RefillPaths = refill.Count == 0 ? null : JsonSerializer.Serialize(refill);
        // One transaction: the re-pinned draft, its re-sealed answers and the dropped attachments' rows.
        await SaveAsync(draft, answers, page, ct);
        await tx.CommitAsync(ct);
        // Files after the rows, as the purge does: a crash in between leaves an orphan file, never a dangling row.
        foreach (var file in dropped) AttachmentStore.DeleteFile(storage, file.StoredPath);
        return opened with { Definition = target };
    }

    /// <summary>
    /// The answer paths to fill again after a move: answers given before that the new rules refuse, and
    /// new questions (keys no earlier key maps onto) that are required on the pages already reached.
    /// Questions on pages not reached yet are simply asked when the resident gets there.
    /// </summary>
    public static List<string> ToFillAgain(FormDefinition form, ISet<string> added, JsonObject answers, string? pageReached)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(added);
        // No page saved yet: nothing was answered. A page that no longer exists: count every page as reached.
        var at = form.Pages.Select(p => p.Key).ToList().IndexOf(pageReached ?? "");
        var reached = pageReached is null ? -1 : at >= 0 ? at : form.Pages.Count - 1;
        var paths = new List<string>();
        foreach (var error in AnswerChecker.Check(form, answers, AnswerChecker.Mode.Lenient).Errors)
        {
            var path = AnswerPath(error.Field);
            if (paths.Contains(path)) continue;
            var (top, inner) = Keys(path);
            var pageIndex = form.Pages.Select((p, i) => (p, i)).First(x => x.p.Items.Any(it => ItemKey(it) == top)).i;
            var isNew = added.Contains(inner ?? top);
            if (!AnswerChecker.IsEmpty(ValueAt(answers, path)) || (isNew && pageIndex <= reached)) paths.Add(path);
        }
        return paths;
    }

    /// <summary>The stored questions to fill again that still have no acceptable answer, on the visible pages.</summary>
    public static List<Refill> PendingRefill(Draft draft, FormDefinition form, JsonObject answers, IReadOnlyCollection<FormPage> visible)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(visible);
        if (draft.RefillPaths is null) return [];
        var stored = JsonSerializer.Deserialize<List<string>>(draft.RefillPaths) ?? [];
        var failing = AnswerChecker.Check(form, answers, AnswerChecker.Mode.Lenient).Errors.Select(e => AnswerPath(e.Field)).ToHashSet(StringComparer.Ordinal);
        var result = new List<Refill>();
        foreach (var path in stored.Where(failing.Contains))
        {
            var (top, inner) = Keys(path);
            var page = visible.FirstOrDefault(p => p.Items.Any(i => ItemKey(i) == top));
            var item = page?.Items.First(i => ItemKey(i) == top);
            switch (item)
            {
                case FormField f:
                    result.Add(new Refill(path, page!.Key, new LocalizedLabel(f.Label, null, null)));
                    break;
                case FormGroup g when inner is null:
                    result.Add(new Refill(path, page!.Key, new LocalizedLabel(g.Label, null, null)));
                    break;
                case FormGroup g when g.Fields.FirstOrDefault(x => x.Key == inner) is { } gf:
                    result.Add(new Refill(path, page!.Key, new LocalizedLabel(gf.Label, g.ItemLabel ?? g.Label, Index(path) + 1)));
                    break;
                default:
                    break; // on a page hidden by the answers now: nothing to fill there
            }
        }
        return result;
    }

    private static string? ItemKey(FormItem item) => item switch { FormField f => f.Key, FormGroup g => g.Key, _ => null };

    /// <summary>The answer an error is about, without the part (<c>name.familyKana</c> → <c>name</c>, <c>g[0].name.given</c> → <c>g[0].name</c>).</summary>
    private static string AnswerPath(string field)
    {
        var close = field.IndexOf("].", StringComparison.Ordinal);
        var from = close < 0 ? 0 : close + 2;
        var dot = field.IndexOf('.', from);
        return dot < 0 ? field : field[..dot];
    }

    private static (string Top, string? Inner) Keys(string path)
    {
        var open = path.IndexOf('[', StringComparison.Ordinal);
        var close = path.IndexOf("].", StringComparison.Ordinal);
        return open < 0 || close < 0 ? (path, null) : (path[..open], path[(close + 2)..]);
    }

    private static int Index(string path)
    {
        var open = path.IndexOf('[', StringComparison.Ordinal);
        var close = path.IndexOf(']', StringComparison.Ordinal);
        return int.Parse(path.AsSpan(open + 1, close - open - 1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The raw answer at a path; group items are counted as the checker counts them (empty items skipped).</summary>
    private static JsonNode? ValueAt(JsonObject answers, string path)
    {
        var (top, inner) = Keys(path);
        if (inner is null) return answers[top];
        if (answers[top] is not JsonArray rows) return null;
        var items = rows.OfType<JsonObject>().Where(o => !o.All(kv => AnswerChecker.IsEmpty(kv.Value))).ToList();
        var index = Index(path);
        return index < items.Count ? items[index][inner] : null;
    }
}
