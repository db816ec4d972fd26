using System.Globalization;
using System.Security.Claims;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Staff;

/// <summary>The signed-in member of staff's own account: API tokens and "sign out everywhere".</summary>
[Authorize]
public sealed class ProfileModel(UserManager<StaffUser> users, ApiTokens tokens, StaffSessions sessions, SignInManager<StaffUser> signIn, AuditTrail audit) : PageModel
{
    public sealed record InputModel
    {
        public string? Name { get; init; }
        public List<string> Scopes { get; init; } = [];
        public string? Expires { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];
    /// <summary>A token just created: shown on this response only.</summary>
    public string? NewToken { get; private set; }
    [TempData] public string? Notice { get; set; }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public async Task OnGetAsync(CancellationToken ct) => Tokens = await tokens.ListAsync(UserId, ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        DateOnly? expires = null;
        if (!string.IsNullOrWhiteSpace(Input.Expires))
        {
            if (DateOnly.TryParseExact(TextNormalizer.Normalize(Input.Expires), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) expires = d;
            else ModelState.AddModelError("Input.Expires", "有効期限は 2027-03-31 の形で入力してください");
        }
        if (Input.Scopes.Count == 0) ModelState.AddModelError("Input.Scopes", "スコープを1つ以上選んでください");
        if (ModelState.IsValid)
        {
            var user = await users.GetUserAsync(User);
            try
            {
                var created = await tokens.CreateAsync(user!, Input.Name ?? "", string.Join(",", Input.Scopes), expires, ct);
                NewToken = created.Secret;
            }
            catch (ArgumentException e)
            {
                ModelState.AddModelError("Input.Scopes", e.Message);
            }
        }
        Tokens = await tokens.ListAsync(UserId, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        Notice = await tokens.RevokeAsync(UserId, id, ct) ? "トークンを失効させました。" : "そのトークンは見つからないか、既に失効しています。";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync(CancellationToken ct)
    {
        await audit.AppendAsync(new AuditEvent(AuditActions.SignOutEverywhere, "staff-user", UserId), ct);
        await sessions.EndAllAsync(UserId, ct);
        var user = await users.GetUserAsync(User);
        // A new security stamp also invalidates sign-ins half way through (password given, code not yet).
        if (user is not null) await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return LocalRedirect("/staff/signin?signedOut=true");
    }
}
