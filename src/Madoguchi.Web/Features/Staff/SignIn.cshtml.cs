using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Staff;

/// <summary>Step 1 of 2: the password. Step 2 is <see cref="SecondFactorModel"/> or, the first time, <see cref="EnrolModel"/>.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SignInModel(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, StaffSignIn steps, TimeProvider clock) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "メールアドレスを入力してください")]
        [EmailAddress(ErrorMessage = "メールアドレスの形式で入力してください（例: taro@city.example.jp）")]
        public string Email { get; init; } = "";

        [Required(ErrorMessage = "パスワードを入力してください")]
        public string Password { get; init; } = "";
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    /// <summary>The JSON of navigator.credentials.get(), put in the form by passkeys.js.</summary>
    [BindProperty] public string? CredentialJson { get; set; }
    // Read, not bound: a mangled ?signedOut must not put a model error in the sign-in form's summary.
    public bool SignedOut => bool.TryParse(Request.Query["signedOut"], out var signedOut) && signedOut;
    /// <summary>Why a sign-in through the municipality's provider did not go through (?oidc=…).</summary>
    public string? OidcMessage => Oidc.Message(Request.Query["oidc"]);
    public OidcSettings OidcSettings => HttpContext.RequestServices.GetRequiredService<OidcSettings>();
    /// <summary>The provider's sign-in, taking along the page the person was sent here from.</summary>
    public string OidcStart => StaffSignIn.Step("/staff/signin/oidc", Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null);

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var email = Input.Email.Trim();
        var user = await users.FindByEmailAsync(email);
        if (steps.RetryAfter(email) is { } wait)
        {
            await steps.AuditAsync(AuditActions.SignInLocked, user, "一時停止中の試行");
            return Locked(wait);
        }
        var result = user is null ? Microsoft.AspNetCore.Identity.SignInResult.Failed : await signIn.CheckPasswordSignInAsync(user, Input.Password, lockoutOnFailure: false);
        if (result.IsLockedOut)
        {
            // Locked in the database (perhaps by failures on another app instance): never longer than the window.
            await steps.AuditAsync(AuditActions.SignInLocked, user, "アカウントがロック中");
            var left = user!.LockoutEnd is { } end ? end - clock.GetUtcNow() : SignInThrottle.Window;
            return Locked(left > SignInThrottle.Window || left <= TimeSpan.Zero ? SignInThrottle.Window : left);
        }
        if (!result.Succeeded)
        {
            await steps.FailAsync(user, email);
            if (steps.RetryAfter(email) is { } now)
            {
                await steps.AuditAsync(AuditActions.SignInLocked, user, "失敗が続いたため一時停止");
                return Locked(now);
            }
            // The same message for an unknown account and a wrong password, so accounts cannot be probed.
            ModelState.AddModelError("Input.Password", "メールアドレスまたはパスワードが正しくありません");
            return Page();
        }
        await steps.AuditAsync(AuditActions.SignIn, user, "パスワード確認済み（二要素認証へ）");
        await steps.StartPendingAsync(user!);
        var next = await users.GetTwoFactorEnabledAsync(user!) ? "/staff/signin/code" : "/staff/signin/enrol";
        var back = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
        return LocalRedirect(StaffSignIn.Step(next, back));
    }

    /// <summary>A passkey instead of password and code (it carries both factors: device and PIN/biometric).</summary>
    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        // The password form's fields are not part of this post.
        ModelState.Clear();
        var (outcome, wait) = await Passkeys.SignInAsync(steps, signIn, users, clock, CredentialJson);
        var back = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
        switch (outcome)
        {
            case Passkeys.Outcome.SignedIn:
                return LocalRedirect(back ?? "/staff");
            case Passkeys.Outcome.MustEnrol:
                return LocalRedirect(StaffSignIn.Step("/staff/signin/enrol", back));
            case Passkeys.Outcome.Locked:
                return Locked(wait ?? SignInThrottle.Window);
            default:
                if (wait is { } now) return Locked(now);
                ModelState.AddModelError("", "パスキーでサインインできませんでした。登録済みのパスキーを選び、端末の PIN や指紋・顔で本人確認をしてください。うまくいかないときは、パスワードと確認コードでサインインしてください");
                return Page();
        }
    }

    private PageResult Locked(TimeSpan wait)
    {
        SignInThrottle.Refuse(Response, wait);
        var minutes = (int)Math.Ceiling(Math.Max(1, wait.TotalMinutes));
        ModelState.AddModelError("", $"サインインの失敗が続いたため、一時的にサインインできません。{minutes}分後にもう一度お試しください。");
        return Page();
    }
}
