using System.Globalization;
using System.Text;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Designer;

/// <summary>The form's title and description in three languages, and how long residents' drafts are kept.</summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class SettingsModel(DesignerStore store) : PageModel
{
    public sealed record InputModel
    {
        public string? TitleJa { get; init; }
        public string? TitleEn { get; init; }
        public string? TitleEasy { get; init; }
        public string? DescriptionJa { get; init; }
        public string? DescriptionEn { get; init; }
        public string? DescriptionEasy { get; init; }
        public string? DraftExpiryDays { get; init; }
    }

    [BindProperty(SupportsGet = true)] public string Slug { get; set; } = "";
    [BindProperty] public string? Sha { get; set; }
    [BindProperty] public InputModel Input { get; set; } = new();
    public DesignerStore.Loaded Loaded { get; private set; } = default!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var loaded = await store.LoadAsync(User, Slug, ct);
        if (loaded is null) return NotFound();
        Loaded = loaded;
        var d = loaded.Definition;
        Input = new InputModel
        {
            TitleJa = d.Title.Ja,
            TitleEn = d.Title.En,
            TitleEasy = d.Title.Easy,
            DescriptionJa = d.Description?.Ja,
            DescriptionEn = d.Description?.En,
            DescriptionEasy = d.Description?.Easy,
            DraftExpiryDays = d.DraftExpiryDays.ToString(CultureInfo.InvariantCulture),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var loaded = await store.LoadAsync(User, Slug, ct);
        if (loaded is null) return NotFound();
        Loaded = loaded;
        var days = Input.DraftExpiryDays?.Normalize(NormalizationForm.FormKC).Trim();
        if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) || expiry is < 1 or > 365)
        {
            ModelState.AddModelError("Input.DraftExpiryDays", "下書きの保存日数は 1〜365 の整数で入力してください");
            return Page();
        }
        var description = Blank(Input.DescriptionJa) is null && Blank(Input.DescriptionEn) is null && Blank(Input.DescriptionEasy) is null
            ? null : new LocalizedText(Input.DescriptionJa?.Trim() ?? "", Blank(Input.DescriptionEn), Blank(Input.DescriptionEasy));
        var next = loaded.Definition with
        {
            Title = new LocalizedText(Input.TitleJa?.Trim() ?? "", Blank(Input.TitleEn), Blank(Input.TitleEasy)),
            Description = description,
            DraftExpiryDays = expiry,
        };
        var outcome = await store.SaveAsync(loaded, Sha, next, "フォームの名前と説明を変更", User.Identity?.Name ?? "", null, ct);
        if (!outcome.Saved && outcome.Errors.Count > 0)
        {
            foreach (var e in outcome.Errors)
            {
                var input = outcome.Stale ? "" : e.Path switch
                {
                    "$.title.en" => "Input.TitleEn",
                    "$.title.easy" => "Input.TitleEasy",
                    var p when p.StartsWith("$.title", StringComparison.Ordinal) => "Input.TitleJa",
                    "$.description.en" => "Input.DescriptionEn",
                    "$.description.easy" => "Input.DescriptionEasy",
                    var p when p.StartsWith("$.description", StringComparison.Ordinal) => "Input.DescriptionJa",
                    _ => "",
                };
                ModelState.AddModelError(input, e.Message);
            }
            return Page();
        }
        TempData["Notice"] = outcome.Saved ? "フォームの名前と説明を保存しました。" : "変更はありませんでした。";
        return Redirect($"/staff/designer/{Slug}");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
