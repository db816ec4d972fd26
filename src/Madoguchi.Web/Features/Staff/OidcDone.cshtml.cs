using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// Where the OpenID Connect handler lands after the provider's answer. This response is the end of a
/// navigation the provider started, in which browsers send no SameSite=Strict cookie: so it sets the
/// cookies and shows a "続ける" link (followed by continue.js) instead of redirecting into staff pages.
/// </summary>
[AllowAnonymous]
public sealed class OidcDoneModel(OidcSettings settings, UserManager<StaffUser> users, StaffSignIn steps) : PageModel
{
    /// <summary>RFC 8176 amr values that mean more than one factor (or a hardware/software key with one).</summary>
    private static readonly string[] MfaAmr = ["mfa", "otp", "hwk", "swk"];

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string Next { get; private set; } = "/staff";
    public string Message { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        var external = await HttpContext.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        if (!settings.Enabled || external.Principal is not { } who) return LocalRedirect("/staff/signin?oidc=failed");
        var email = who.FindFirst("email")?.Value;
        if (email is null || !string.Equals(who.FindFirst("email_verified")?.Value, "true", StringComparison.OrdinalIgnoreCase))
        {
            return LocalRedirect("/staff/signin?oidc=unverified");
        }
        if (steps.RetryAfter(email) is not null) return LocalRedirect("/staff/signin?oidc=locked");
        // No provisioning: the account, its roles and department must already exist in Madoguchi.
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            await steps.FailAsync(null, email);
            return LocalRedirect("/staff/signin?oidc=unknown");
        }
        if (await users.IsLockedOutAsync(user)) return LocalRedirect("/staff/signin?oidc=locked");
        var acr = (settings.MfaAcr ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var multiFactor = who.FindAll("amr").Any(c => MfaAmr.Contains(c.Value, StringComparer.OrdinalIgnoreCase))
            || (who.FindFirst("acr")?.Value is { } a && acr.Contains(a, StringComparer.Ordinal));
        var back = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null;
        if (multiFactor)
        {
            await steps.CompleteAsync(user);
            Next = back ?? "/staff";
            Message = back is null ? "サインインしました。職員トップへ進みます。" : "サインインしました。開こうとしていたページへ進みます。";
            return Page();
        }
        // One factor at the provider (a password): Madoguchi's own second factor, or its enrolment.
        await steps.StartPendingAsync(user);
        Next = StaffSignIn.Step(user.TwoFactorEnabled ? "/staff/signin/code" : "/staff/signin/enrol", back);
        Message = user.TwoFactorEnabled ? "続けて、認証アプリの確認コードを入力してください。" : "続けて、認証アプリを登録してください。";
        return Page();
    }
}
