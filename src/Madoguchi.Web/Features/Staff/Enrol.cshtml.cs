using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// First sign-in: the account must register an authenticator app (TOTP, RFC 6238) before any
/// staff page opens. Success shows ten recovery codes once.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class EnrolModel(StaffSignIn steps, UserManager<StaffUser> users, StaffTotp totp) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "確認コードを入力してください")]
        public string Code { get; init; } = "";
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string Key { get; private set; } = "";
    public string Uri { get; private set; } = "";
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    /// <summary>The secret in groups of four, easier to type into an app by hand.</summary>
    public string KeyGroups => string.Join(" ", Key.Chunk(4).Select(c => new string(c)));

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await steps.PendingUserAsync();
        if (user is not { TwoFactorEnabled: false }) return Redirect("/staff/signin");
        await LoadKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await steps.PendingUserAsync();
        if (user is not { TwoFactorEnabled: false }) return Redirect("/staff/signin");
        var email = user.Email ?? "";
        if (steps.RetryAfter(email) is { } wait)
        {
            await steps.AuditAsync(AuditActions.SignInLocked, user, "認証アプリ登録: 一時停止中の試行");
            SignInThrottle.Refuse(Response, wait);
            ModelState.AddModelError("", $"確認コードの誤りが続いたため、一時的に登録できません。{(int)Math.Ceiling(Math.Max(1, wait.TotalMinutes))}分後にもう一度お試しください。");
            await LoadKeyAsync(user);
            return Page();
        }
        var code = new string(Input.Code.Where(char.IsAsciiDigit).ToArray());
        if (!ModelState.IsValid || code.Length != 6
            || !await totp.AcceptAsync(user, code))
        {
            if (ModelState.IsValid)
            {
                await steps.FailAsync(user, email, AuditActions.SecondFactorFailed);
                ModelState.AddModelError("Input.Code", "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください（時刻がずれていると合いません）");
            }
            await LoadKeyAsync(user);
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        await steps.AuditAsync(AuditActions.SecondFactorEnrolled, user, "認証アプリを登録");
        RecoveryCodes = [.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!];
        await steps.CompleteAsync(user);
        // Rendered, not redirected: the codes are shown this once and never stored in plain text.
        return Page();
    }

    private async Task LoadKeyAsync(StaffUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        Key = key!;
        var label = System.Uri.EscapeDataString("Madoguchi:" + user.Email);
        Uri = $"otpauth://totp/{label}?secret={Key}&issuer=Madoguchi&digits=6&period=30";
    }
}
