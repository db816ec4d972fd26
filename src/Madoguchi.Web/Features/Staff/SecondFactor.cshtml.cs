using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Features.Staff;

/// <summary>Step 2 of 2: the authenticator app's code, or one of the recovery codes.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class SecondFactorModel(StaffSignIn steps) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "確認コードを入力してください")]
        public string Code { get; init; } = "";
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await steps.PendingUserAsync();
        return user is { TwoFactorEnabled: true } ? Page() : Redirect("/staff/signin");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await steps.PendingUserAsync();
        if (user is not { TwoFactorEnabled: true }) return Redirect("/staff/signin");
        var email = user.Email ?? "";
        if (steps.RetryAfter(email) is { } wait)
        {
            await steps.AuditAsync(AuditActions.SignInLocked, user, "二要素認証: 一時停止中の試行");
            return Locked(wait);
        }
        if (!ModelState.IsValid) return Page();
        if (!await steps.CheckSecondFactorAsync(user, Input.Code))
        {
            await steps.FailAsync(user, email, AuditActions.SecondFactorFailed);
            if (steps.RetryAfter(email) is { } now)
            {
                await steps.AuditAsync(AuditActions.SignInLocked, user, "二要素認証: 失敗が続いたため一時停止");
                return Locked(now);
            }
            ModelState.AddModelError("Input.Code", "確認コードが正しくないか、既に使われています。認証アプリに表示されている6桁の数字か、回復コードを入力してください（同じ確認コードは1回しか使えません。使ったばかりのときは次のコードを待ってください）");
            return Page();
        }
        await steps.CompleteAsync(user);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/staff");
    }

    private PageResult Locked(TimeSpan wait)
    {
        SignInThrottle.Refuse(Response, wait);
        ModelState.AddModelError("", $"確認コードの誤りが続いたため、一時的にサインインできません。{(int)Math.Ceiling(Math.Max(1, wait.TotalMinutes))}分後にもう一度お試しください。");
        return Page();
    }
}
