using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Designer;

/// <summary>Creates a form for a procedure of the member of staff's department, with one page to start from.</summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class NewModel(MadoguchiDbContext db, StaffScope scope, FormService forms) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "手続を選んでください")]
        public Guid? ProcedureId { get; init; }
        [Required(ErrorMessage = "アドレス（slug）を入力してください")]
        public string Slug { get; init; } = "";
        [Required(ErrorMessage = "フォームの名前（日本語）を入力してください")]
        public string TitleJa { get; init; } = "";
        public string? TitleEn { get; init; }
        public string? TitleEasy { get; init; }
        [Required(ErrorMessage = "最初のページの見出しを入力してください")]
        public string PageTitle { get; init; } = "";
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public IEnumerable<SelectListItem> Procedures { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var visible = await scope.ProceduresAsync(User, ct);
        var procedure = Input.ProcedureId is Guid id ? await visible.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) : null;
        if (Input.ProcedureId is not null && procedure is null) ModelState.AddModelError("Input.ProcedureId", "手続は一覧から選んでください");
        var slug = Input.Slug.Trim();
        if (slug.Length > 0 && await db.Forms.AnyAsync(f => f.Slug == slug, ct))
        {
            ModelState.AddModelError("Input.Slug", $"アドレス「{slug}」はほかのフォームで使われています。別のアドレスにしてください");
        }
        if (!ModelState.IsValid || procedure is null) return Page();

        var definition = new FormDefinition(slug, procedure.Code,
            new LocalizedText(Input.TitleJa.Trim(), Blank(Input.TitleEn), Blank(Input.TitleEasy)), null, FormDefinition.DefaultDraftExpiryDays,
            [new FormPage("page-1", new LocalizedText(Input.PageTitle.Trim()), null,
                [new StaticText(null, new LocalizedText("このページの説明を書いてください。項目を追加したら、この説明文は削除できます。"), null)])]);
        try
        {
            await forms.ImportAsync(FormJson.Write(definition), procedure.Code, User.Identity?.Name ?? "", ct);
        }
        catch (FormRefusedException e)
        {
            foreach (var error in e.Errors) ModelState.AddModelError(InputOf(error.Path), error.Message);
            if (e.Errors.Count == 0) ModelState.AddModelError("", e.Message);
            return Page();
        }
        TempData["Notice"] = "フォームを作りました。項目を追加してください。";
        return Redirect($"/staff/designer/{slug}");
    }

    private static string InputOf(string path) => path switch
    {
        "$.slug" => "Input.Slug",
        "$.title.ja" => "Input.TitleJa",
        "$.title.en" => "Input.TitleEn",
        "$.title.easy" => "Input.TitleEasy",
        var p when p.StartsWith("$.pages[0].title", StringComparison.Ordinal) => "Input.PageTitle",
        _ => "",
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private async Task LoadAsync(CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        // Only procedures that may be online: publishing refuses the others anyway.
        Procedures = await visible.AsNoTracking().Where(p => p.OnlineEligible).OrderBy(p => p.Code)
            .Select(p => new SelectListItem(p.Code + " " + p.Name, p.Id.ToString())).ToListAsync(ct);
    }
}
