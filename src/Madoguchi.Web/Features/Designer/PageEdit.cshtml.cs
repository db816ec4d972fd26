using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Designer;

/// <summary>A page's key, title in three languages and condition.</summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class PageEditModel(DesignerStore store) : PageModel
{
    public sealed record InputModel
    {
        public string? Key { get; init; }
        public string? TitleJa { get; init; }
        public string? TitleEn { get; init; }
        public string? TitleEasy { get; init; }
        public string? ConditionField { get; init; }
        public string? ConditionOperator { get; init; }
        public string? ConditionValues { get; init; }
    }

    [BindProperty(SupportsGet = true)] public string Slug { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string PageKey { get; set; } = "";
    [BindProperty] public string? Sha { get; set; }
    [BindProperty] public InputModel Input { get; set; } = new();

    public DesignerStore.Loaded Loaded { get; private set; } = default!;
    public int PageIndex { get; private set; }
    /// <summary>Fields of earlier pages: a page's condition is decided before it is drawn.</summary>
    public IReadOnlyList<FormField> Earlier { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var p = Loaded.Definition.Pages[PageIndex];
        Input = new InputModel
        {
            Key = p.Key,
            TitleJa = p.Title.Ja,
            TitleEn = p.Title.En,
            TitleEasy = p.Title.Easy,
            ConditionField = p.ShowWhen?.Field,
            ConditionOperator = p.ShowWhen?.Operator switch { ConditionOperator.Equals => "equals", ConditionOperator.In => "in", ConditionOperator.Filled => "filled", _ => null },
            ConditionValues = p.ShowWhen is null ? null : string.Join(", ", p.ShowWhen.Values),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var old = Loaded.Definition.Pages[PageIndex];
        FormCondition? condition = null;
        if (!string.IsNullOrWhiteSpace(Input.ConditionField))
        {
            var values = (Input.ConditionValues ?? "").Split([',', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var op = Input.ConditionOperator switch { "in" => ConditionOperator.In, "filled" => ConditionOperator.Filled, _ => ConditionOperator.Equals };
            if (op != ConditionOperator.Filled && values.Count == 0) ModelState.AddModelError("Input.ConditionValues", "表示する条件の値を入力してください（複数ならカンマ区切り）");
            else if (op == ConditionOperator.Equals && values.Count > 1) ModelState.AddModelError("Input.ConditionValues", "「等しい」の値は1つだけです。複数なら「いずれか」を選んでください");
            condition = new FormCondition(Input.ConditionField.Trim(), op, op == ConditionOperator.Filled ? [] : values);
        }
        if (!ModelState.IsValid) return Page();
        var title = new LocalizedText(Input.TitleJa?.Trim() ?? "", Blank(Input.TitleEn), Blank(Input.TitleEasy));
        var page = old with { Key = Input.Key?.Trim() ?? "", Title = title, ShowWhen = condition };
        var outcome = await store.SaveAsync(Loaded, Sha, DefinitionEdits.ReplacePage(Loaded.Definition, PageIndex, page),
            $"ページ「{title.Ja}」を変更", User.Identity?.Name ?? "", null, ct);
        if (!outcome.Saved && outcome.Errors.Count > 0)
        {
            var prefix = $"$.pages[{PageIndex}]";
            foreach (var e in outcome.Errors)
            {
                var input = outcome.Stale || !e.Path.StartsWith(prefix + ".", StringComparison.Ordinal) ? null : e.Path[prefix.Length..] switch
                {
                    ".key" => "Input.Key",
                    var r when r.StartsWith(".title.en", StringComparison.Ordinal) => "Input.TitleEn",
                    var r when r.StartsWith(".title.easy", StringComparison.Ordinal) => "Input.TitleEasy",
                    var r when r.StartsWith(".title", StringComparison.Ordinal) => "Input.TitleJa",
                    var r when r.StartsWith(".showWhen", StringComparison.Ordinal) => "Input.ConditionField",
                    _ => null,
                };
                ModelState.AddModelError(input ?? "", input is null && !outcome.Stale ? $"{DesignerStore.Place(outcome.Attempted, e.Path)}: {e.Message}" : e.Message);
            }
            return Page();
        }
        TempData["Notice"] = outcome.Saved ? $"ページ「{title.Ja}」を保存しました。" : "変更はありませんでした。";
        return Redirect($"/staff/designer/{Slug}#page-{PageIndex}");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var loaded = await store.LoadAsync(User, Slug, ct);
        if (loaded is null) return false;
        Loaded = loaded;
        PageIndex = loaded.Definition.Pages.ToList().FindIndex(p => p.Key == PageKey);
        if (PageIndex < 0) return false;
        Earlier = [.. loaded.Definition.Pages.Take(PageIndex).SelectMany(p => p.Items).OfType<FormField>()];
        return true;
    }
}
