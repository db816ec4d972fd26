using System.Globalization;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Designer;

/// <summary>
/// The designer of one form: its pages and items listed compactly (each item is edited on its own
/// page), with move up/down and remove buttons, undo, publish and unpublish. Every button is a plain
/// form POST; one page load reads the form once, whatever the number of fields.
/// </summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class EditModel(DesignerStore store, FormService forms) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Slug { get; set; } = "";
    /// <summary>SHA-256 of the working definition the page was drawn from: a stale page cannot overwrite a newer one.</summary>
    [BindProperty] public string? Sha { get; set; }
    /// <summary>The button pressed: "up:0:3", "down:0:3:1", "remove:1:0", "page-up:1", "add-page", "undo", "publish" …</summary>
    [BindProperty] public string Op { get; set; } = "";

    public DesignerStore.Loaded Loaded { get; private set; } = default!;
    public FormDefinition Definition => Loaded.Definition;
    public DesignerStore.History History { get; private set; } = new(0, null);
    public KeyChanges Changes { get; private set; } = KeyChanges.None;
    public bool PublishedIsCurrent { get; private set; }
    public IReadOnlyList<FormError> PublishErrors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var actor = User.Identity?.Name ?? "";
        var parts = Op.Split(':');
        var numbers = parts.Skip(1).Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToArray();
        switch (parts[0])
        {
            case "undo":
                var undone = await store.UndoAsync(Loaded, actor, ct);
                TempData["Notice"] = undone is null ? "元に戻せる変更はありません。" : $"元に戻しました: {undone}";
                return Redirect($"/staff/designer/{Slug}?focus=undo");
            case "publish":
                return await PublishAsync(actor, ct);
            case "unpublish":
                if (Loaded.Form.CurrentVersion is null || Loaded.Form.UnpublishedAt is not null) return Redirect($"/staff/designer/{Slug}");
                await store.UnpublishAsync(Loaded, ct);
                TempData["Notice"] = "受付を停止しました。新しい申請は始められません。途中の下書きと受け付けた申請はそのままです。もう一度公開すると受付を再開します。";
                return Redirect($"/staff/designer/{Slug}");
            case "add-page":
                return await AddPageAsync(actor, ct);
            case "page-up" or "page-down" or "page-remove" when numbers.Length == 1 && numbers[0] >= 0 && numbers[0] < Definition.Pages.Count:
                return await PageOpAsync(parts[0], numbers[0], actor, ct);
            case "up" or "down" or "remove" when numbers.Length is 2 or 3 && DefinitionEdits.Get(Definition, Ref(numbers)) is not null:
                return await ItemOpAsync(parts[0], Ref(numbers), actor, ct);
            default:
                // A stale page's button can point at an item that has moved since: say so instead of guessing.
                ModelState.AddModelError("", "その項目は見つかりませんでした。ほかの画面で変更された可能性があります。最新の内容を表示しています。");
                return Page();
        }
    }

    private static ItemRef Ref(int[] n) => new(n[0], n[1], n.Length == 3 ? n[2] : null);

    private async Task<IActionResult> ItemOpAsync(string op, ItemRef at, string actor, CancellationToken ct)
    {
        var item = DefinitionEdits.Get(Definition, at)!;
        var name = DefinitionEdits.Name(item);
        if (op == "remove")
        {
            var next = DefinitionEdits.Remove(Definition, at);
            var removed = await store.SaveAsync(Loaded, Sha, next, $"項目「{name}」を削除", actor,
                k => DefinitionEdits.KeysOf(item).Aggregate(k, (acc, key) => acc.Remove(key)), ct);
            if (!removed.Saved) return Refused(removed);
            TempData["Notice"] = $"項目「{name}」を削除しました。「元に戻す」で取り消せます。";
            return Redirect($"/staff/designer/{Slug}?focus=undo");
        }
        var delta = op == "up" ? -1 : 1;
        var moved = DefinitionEdits.Move(Definition, at, delta);
        if (moved is null)
        {
            ModelState.AddModelError("", $"項目「{name}」はこれ以上{(delta < 0 ? "上" : "下")}へ移動できません。");
            return Page();
        }
        var outcome = await store.SaveAsync(Loaded, Sha, moved.Value.Definition, $"項目「{name}」を{(delta < 0 ? "上" : "下")}へ移動", actor, null, ct);
        if (!outcome.Saved) return Refused(outcome);
        TempData["Notice"] = $"項目「{name}」を{(delta < 0 ? "上" : "下")}へ移動しました。";
        var to = moved.Value.At;
        // The fragment names the button itself: browsers focus a focusable fragment target, so the
        // keyboard user stays on the item even without designer.js.
        return Redirect($"/staff/designer/{Slug}?focus={op}-{to.Anchor}#{op}-{to.Anchor}");
    }

    private async Task<IActionResult> PageOpAsync(string op, int page, string actor, CancellationToken ct)
    {
        var title = Definition.Pages[page].Title.Ja;
        if (op == "page-remove")
        {
            if (Definition.Pages.Count == 1)
            {
                ModelState.AddModelError("", "フォームには1ページ以上が必要です。最後のページは削除できません。");
                return Page();
            }
            var keys = Definition.Pages[page].Items.SelectMany(DefinitionEdits.KeysOf).ToList();
            var removed = await store.SaveAsync(Loaded, Sha, DefinitionEdits.RemovePage(Definition, page), $"ページ「{title}」を削除", actor,
                k => keys.Aggregate(k, (acc, key) => acc.Remove(key)), ct);
            if (!removed.Saved) return Refused(removed);
            TempData["Notice"] = $"ページ「{title}」を削除しました。「元に戻す」で取り消せます。";
            return Redirect($"/staff/designer/{Slug}?focus=undo");
        }
        var delta = op == "page-up" ? -1 : 1;
        var next = DefinitionEdits.MovePage(Definition, page, delta);
        if (next is null)
        {
            ModelState.AddModelError("", $"ページ「{title}」はこれ以上{(delta < 0 ? "前" : "後")}へ移動できません。");
            return Page();
        }
        var outcome = await store.SaveAsync(Loaded, Sha, next, $"ページ「{title}」を{(delta < 0 ? "前" : "後")}へ移動", actor, null, ct);
        if (!outcome.Saved) return Refused(outcome);
        TempData["Notice"] = $"ページ「{title}」を{(delta < 0 ? "前" : "後")}へ移動しました。";
        return Redirect($"/staff/designer/{Slug}?focus={op}-{page + delta}#{op}-{page + delta}");
    }

    private async Task<IActionResult> AddPageAsync(string actor, CancellationToken ct)
    {
        var keys = Definition.Pages.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var n = Definition.Pages.Count + 1;
        while (keys.Contains($"page-{n}")) n++;
        var page = new FormPage($"page-{n}", new LocalizedText($"{Definition.Pages.Count + 1}ページ目"), null,
            [new StaticText(null, new LocalizedText("このページの説明を書いてください。項目を追加したら、この説明文は削除できます。"), null)]);
        var outcome = await store.SaveAsync(Loaded, Sha, Definition with { Pages = [.. Definition.Pages, page] }, "ページを追加", actor, null, ct);
        if (!outcome.Saved) return Refused(outcome);
        TempData["Notice"] = "ページを追加しました。見出しを入力してください。";
        return Redirect($"/staff/designer/{Slug}/pages/{page.Key}");
    }

    private async Task<IActionResult> PublishAsync(string actor, CancellationToken ct)
    {
        var published = await store.PublishedAsync(Loaded.Form, ct);
        var declared = KeyChanges.Parse(Loaded.Form.DesignerKeyChanges).Against(published?.Definition, Definition);
        var (unpublishedAt, keyChanges) = (Loaded.Form.UnpublishedAt, Loaded.Form.DesignerKeyChanges);
        var (workingJson, workingSha) = (Loaded.Form.WorkingJson, Loaded.Form.WorkingSha256);
        if (published is { } p && p.Sha256 != Loaded.Form.WorkingSha256 && Loaded.Form.CurrentVersion is int from)
        {
            // The new version declares how answers of the published one map onto it (docs/forms-format.md,
            // "Changes between versions"), so drafts on it are migrated instead of losing answers.
            var next = Definition with
            {
                Changes = declared.IsEmpty ? null : new VersionChangeSet(from, [.. declared.Renamed.Select(r => new KeyRename(r.Key, r.Value))], [.. declared.Removed]),
            };
            Loaded.Form.WorkingJson = FormJson.Write(next);
            Loaded.Form.WorkingSha256 = FormJson.Sha256(Loaded.Form.WorkingJson);
        }
        // Publishing reopens a form whose applications were stopped, and settles the pending key changes.
        Loaded.Form.UnpublishedAt = null;
        Loaded.Form.DesignerKeyChanges = null;
        try
        {
            var result = await forms.PublishAsync(Slug, actor, ct);
            await store.CommitAsync(Loaded, declared, result.Version.Number, ct);
            TempData["Notice"] = result.Created ? $"第{result.Version.Number}版を公開しました。" : $"変更はないため、第{result.Version.Number}版のまま公開しています。";
            return Redirect($"/staff/designer/{Slug}?focus=publish");
        }
        catch (FormRefusedException e)
        {
            (Loaded.Form.UnpublishedAt, Loaded.Form.DesignerKeyChanges) = (unpublishedAt, keyChanges);
            (Loaded.Form.WorkingJson, Loaded.Form.WorkingSha256) = (workingJson, workingSha);
            PublishErrors = e.Errors;
            ModelState.AddModelError("", e.Message);
            foreach (var error in e.Errors) ModelState.AddModelError("", $"{DesignerStore.Place(Definition, error.Path)}: {error.Message}");
            await LoadAsync(ct, reload: true);
            return Page();
        }
    }

    private PageResult Refused(DesignerStore.Outcome outcome)
    {
        foreach (var error in outcome.Errors)
        {
            ModelState.AddModelError("", outcome.Stale ? error.Message : $"{DesignerStore.Place(outcome.Attempted, error.Path)}: {error.Message}");
        }
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct, bool reload = false)
    {
        if (!reload)
        {
            var loaded = await store.LoadAsync(User, Slug, ct);
            if (loaded is null) return false;
            Loaded = loaded;
        }
        History = await store.HistoryAsync(Loaded.Form.Id, ct);
        var published = await store.PublishedAsync(Loaded.Form, ct);
        PublishedIsCurrent = published?.Sha256 == Loaded.Form.WorkingSha256;
        Changes = KeyChanges.Parse(Loaded.Form.DesignerKeyChanges).Against(published?.Definition, Definition);
        return true;
    }
}
