using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Designer;

/// <summary>
/// The working definition drawn as residents will see it, every page one after another, at phone or
/// desktop width and in each language. Nothing here can be submitted.
/// </summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class PreviewModel(DesignerStore store) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Slug { get; set; } = "";
    /// <summary>"phone" (default) or "desktop".</summary>
    [BindProperty(SupportsGet = true)] public string? Width { get; set; }
    /// <summary>"ja" (default), "en" or "easy".</summary>
    [BindProperty(SupportsGet = true, Name = "in")] public string? In { get; set; }

    public FormDefinition Definition { get; private set; } = default!;
    public Language Language => In switch { "en" => Language.En, "easy" => Language.Easy, _ => Language.Ja };
    public bool Phone => Width != "desktop";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var loaded = await store.LoadAsync(User, Slug, ct);
        if (loaded is null) return NotFound();
        Definition = loaded.Definition;
        return Page();
    }
}
