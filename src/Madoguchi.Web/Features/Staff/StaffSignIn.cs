using System.Security.Claims;
using Madoguchi.Web.Features.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// The steps of a staff sign-in: the password opens a short-lived "pending" cookie (Identity's
/// two-factor user id cookie), and only the second factor turns it into a session.
/// </summary>
public sealed class StaffSignIn(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, StaffSessions sessions, SignInThrottle throttle, StaffTotp totp, IHttpContextAccessor http, AuditTrail audit)
{
    private HttpContext Ctx => http.HttpContext ?? throw new InvalidOperationException("no request");

    /// <summary>
    /// A step of the sign-in, carrying the page the person asked for (<paramref name="back"/>, already
    /// checked to be local by the caller) to the step that finally opens it.
    /// </summary>
    public static string Step(string path, string? back) => back is null ? path : path + "?returnUrl=" + Uri.EscapeDataString(back);

    public async Task StartPendingAsync(StaffUser user)
    {
        var identity = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Id));
        await Ctx.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>The account that has given its password but not yet its second factor.</summary>
    public async Task<StaffUser?> PendingUserAsync()
    {
        var result = await Ctx.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        var id = result.Principal?.FindFirstValue(ClaimTypes.Name);
        return id is null ? null : await users.FindByIdAsync(id);
    }

    /// <summary>Checks a 6-digit authenticator code or a recovery code (used up on success).</summary>
    public async Task<bool> CheckSecondFactorAsync(StaffUser user, string code)
    {
        var normalized = new string(code.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
        if (normalized.Length == 6 && normalized.All(char.IsAsciiDigit))
        {
            return await totp.AcceptAsync(user, normalized);
        }
        return normalized.Length > 0 && (await users.RedeemTwoFactorRecoveryCodeAsync(user, code.Trim())).Succeeded;
    }

    /// <summary>Opens a new server session (a new id at every sign-in) and issues its cookie.</summary>
    public async Task CompleteAsync(StaffUser user)
    {
        var previous = await Ctx.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        await sessions.EndAsync(previous.Principal?.FindFirstValue(StaffSessions.SessionClaim));
        await Ctx.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        var sid = await sessions.StartAsync(user.Id);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(StaffSessions.MfaClaim, "mfa"), new Claim(StaffSessions.SessionClaim, sid)]);
        throttle.Reset(SignInThrottle.AccountKey(user.Email ?? ""));
        await AuditAsync(AuditActions.SecondFactor, user, "セッション開始");
    }

    /// <summary>
    /// Records a step of a sign-in in the audit trail. The actor is the account (the request is not
    /// signed in yet), or "anonymous" for an unknown address; never the typed address or password.
    /// </summary>
    public Task AuditAsync(string action, StaffUser? user, string detail = "")
        => audit.AppendAsync(new AuditEvent(action, "staff-user", user?.Id)
        {
            Actor = user is null ? AuditActor.Anonymous : AuditActor.Staff(user),
            DepartmentId = user?.DepartmentId,
            Detail = detail,
        });

    /// <summary>
    /// Records a failed attempt in the trail and against the account (when known) and the client
    /// address; a passkey that matched no account (email null) counts against the address alone.
    /// </summary>
    public async Task FailAsync(StaffUser? user, string? email, string action = AuditActions.SignInFailed)
    {
        await AuditAsync(action, user, user is null && email is not null ? "登録のないメールアドレス" : "");
        if (email is null) throttle.Fail(SignInThrottle.AddressKey(Ctx));
        else throttle.Fail(SignInThrottle.AccountKey(email), SignInThrottle.AddressKey(Ctx));
        if (user is not null) await users.AccessFailedAsync(user);
    }

    /// <summary>The wait for this client address alone (a passkey names its account only once checked).</summary>
    public TimeSpan? RetryAfterAddress() => throttle.RetryAfter(SignInThrottle.AddressKey(Ctx));

    public TimeSpan? RetryAfter(string email) => throttle.RetryAfter(SignInThrottle.AccountKey(email), SignInThrottle.AddressKey(Ctx));
}
