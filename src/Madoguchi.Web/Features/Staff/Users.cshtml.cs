using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Staff;

/// <summary>Admin: staff accounts. A new account gets a generated initial password, shown once.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class UsersModel(MadoguchiDbContext db, IServiceProvider services, AuditTrail audit) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "メールアドレスを入力してください")]
        [EmailAddress(ErrorMessage = "メールアドレスの形式で入力してください（例: taro@city.example.jp）")]
        public string Email { get; init; } = "";
        public string? DisplayName { get; init; }
        [Required(ErrorMessage = "ロールを選んでください")]
        public string Role { get; init; } = "";
        public Guid? DepartmentId { get; init; }
    }

    public sealed record Row(string Id, string Email, string DisplayName, string Roles, string? Department, bool SecondFactor, bool MyNumber);

    [BindProperty] public InputModel Input { get; set; } = new();
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IEnumerable<SelectListItem> RoleItems { get; private set; } = [];
    public IEnumerable<SelectListItem> DepartmentItems { get; private set; } = [];
    [TempData] public string? Notice { get; set; }
    /// <summary>The account just created and its initial password (this response only).</summary>
    public (string Email, string Password)? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Input.Role.Length > 0 && !Roles.All.Contains(Input.Role)) ModelState.AddModelError("Input.Role", "ロールは一覧から選んでください");
        if (Roles.NeedsDepartment(Input.Role) && Input.DepartmentId is null)
            ModelState.AddModelError("Input.DepartmentId", $"ロール {Input.Role} には所属が必要です。所属を選んでください");
        if (Input.DepartmentId is Guid d && !await db.Departments.AnyAsync(x => x.Id == d, ct))
            ModelState.AddModelError("Input.DepartmentId", "所属は一覧から選んでください");
        if (ModelState.IsValid)
        {
            var password = DemoData.GeneratePassword();
            try
            {
                await StaffAccounts.CreateAsync(services, Input.Email.Trim(), password, Input.Role, Input.DepartmentId, Input.DisplayName?.Trim() is { Length: > 0 } n ? n : null);
                Created = (Input.Email.Trim(), password);
                ModelState.Clear();
                Input = new();
            }
            catch (ArgumentException e)
            {
                ModelState.AddModelError("Input.Email", e.Message);
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Grants or revokes 個人番号 (the same claim as `user create --permission my-number`).</summary>
    public async Task<IActionResult> OnPostMyNumberAsync(string id, bool grant)
    {
        var users = services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<StaffUser>>();
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            Notice = "そのアカウントは見つかりません。一覧を確かめてください。";
            return RedirectToPage();
        }
        if (grant)
        {
            await StaffAccounts.GrantAsync(services, user, Permissions.MyNumber);
            Notice = $"{user.Email} に個人番号の権限を付与しました。本人の次回のサインインから有効です。";
        }
        else
        {
            await StaffAccounts.RevokeAsync(services, user, Permissions.MyNumber);
            Notice = $"{user.Email} の個人番号の権限を取り消しました。本人のセッションはすべて終了しました。";
        }
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var departments = await db.Departments.AsNoTracking().OrderBy(x => x.Bu).ThenBy(x => x.Ka).ThenBy(x => x.Kakari).ToListAsync(ct);
        DepartmentItems = departments.Select(x => new SelectListItem(x.DisplayName, x.Id.ToString(), x.Id == Input.DepartmentId));
        RoleItems = Roles.All.Select(r => new SelectListItem(RoleNames[r], r, r == Input.Role));
        var names = departments.ToDictionary(x => x.Id, x => x.DisplayName);
        // Staff names and e-mail addresses are personal data: no entry in the trail, no list.
        var (users, roles, myNumber) = await audit.ViewAlongsideAsync(new AuditEvent(AuditActions.PersonalDataViewed, "staff-users", null) { Detail = "職員アカウント一覧" }, async c =>
        {
            var u = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(c);
            var assigned = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(c);
            var granted = (await db.UserClaims.Where(x => x.ClaimType == Permissions.ClaimType && x.ClaimValue == Permissions.MyNumber).Select(x => x.UserId).ToListAsync(c)).ToHashSet();
            return (u, assigned, granted);
        }, ct);
        Rows = users.Select(u => new Row(u.Id, u.Email ?? "", u.DisplayName, string.Join("・", roles.Where(r => r.UserId == u.Id).Select(r => r.Name)),
            u.DepartmentId is Guid id && names.TryGetValue(id, out var n) ? n : null, u.TwoFactorEnabled, myNumber.Contains(u.Id))).ToList();
    }

    public static readonly IReadOnlyDictionary<string, string> RoleNames = new Dictionary<string, string>
    {
        [Roles.Admin] = "admin（システム管理）",
        [Roles.Dx] = "dx（DX推進：全手続の閲覧、棚卸の編集）",
        [Roles.Manager] = "manager（所属の管理職）",
        [Roles.Staff] = "staff（所属の職員）",
        [Roles.Counter] = "counter（窓口）",
        [Roles.Auditor] = "auditor（監査：閲覧のみ）",
    };
}
