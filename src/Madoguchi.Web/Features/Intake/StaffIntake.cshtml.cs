using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// A form's intake rules and counts for staff, and the lottery button. Drawing is a decision with
/// consequences for residents: only managers, DX staff and admins of the form's department may draw.
/// </summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class StaffIntakeModel(MadoguchiDbContext db, StaffScope scope, IntakeLottery lottery, TimeProvider clock) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "当選数を入力してください")]
        [Range(1, 10_000_000, ErrorMessage = "当選数は1以上の整数で入力してください")]
        public int? Winners { get; init; }
        [StringLength(200, ErrorMessage = "シードは200文字以内で入力してください")]
        public string? Seed { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public string Slug { get; private set; } = "";
    public string Title { get; private set; } = "";
    public IntakeRules? Rules { get; private set; }
    public int Submissions { get; private set; }
    public int CapacityTaken { get; private set; }
    public int DuplicatePersons { get; private set; }
    public IntakeDraw? Draw { get; private set; }
    public bool CanDraw { get; private set; }
    public bool AfterDeadline { get; private set; }
    [TempData] public string? Notice { get; set; }

    private bool MayDraw => User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Dx) || User.IsInRole(Roles.Manager);

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct) => await LoadAsync(slug, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string slug, CancellationToken ct)
    {
        if (!await LoadAsync(slug, ct)) return NotFound();
        if (!MayDraw) return Forbid();
        if (!ModelState.IsValid) return Page();
        try
        {
            var drawn = await lottery.DrawAsync(slug, Input.Winners!.Value, Input.Seed, User.Identity?.Name ?? "staff", ct);
            Notice = $"申請 {drawn.Draw.Entrants} 件から {drawn.Winners.Count} 件を当選としました（シード {drawn.Draw.Seed}）。結果のメール: 送信 {drawn.Mailed} 件、失敗 {drawn.MailFailed} 件。";
        }
        catch (FormRefusedException e)
        {
            ModelState.AddModelError("Input.Winners", e.Message);
            return Page();
        }
        return Redirect($"/staff/forms/{Uri.EscapeDataString(slug)}/intake");
    }

    private async Task<bool> LoadAsync(string slug, CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        var form = await (from f in db.Forms.AsNoTracking()
                          join p in visible on f.ProcedureId equals p.Id
                          where f.Slug == slug && f.CurrentVersion != null
                          select new { f.Id, f.Title, Version = f.Versions.First(v => v.Number == f.CurrentVersion).Id }).FirstOrDefaultAsync(ct);
        if (form is null) return false;
        Slug = slug;
        Title = form.Title;
        Rules = (await PublishedDefinitions.GetAsync(db, form.Version, ct)).Intake;
        Submissions = await db.Submissions.CountAsync(s => s.FormId == form.Id, ct);
        CapacityTaken = await IntakeCounters.TakenAsync(db, IntakeCounter.CapacityKey(form.Id), ct);
        DuplicatePersons = await db.Submissions.Where(s => s.FormId == form.Id && s.PersonKey != null)
            .GroupBy(s => s.PersonKey).CountAsync(g => g.Count() > 1, ct);
        Draw = await lottery.DrawOfAsync(form.Id, ct);
        AfterDeadline = Rules?.Closes is { } closes && clock.GetUtcNow() >= closes;
        CanDraw = Rules?.Mode == IntakeMode.Lottery && AfterDeadline && Draw is null && MayDraw;
        return true;
    }
}
