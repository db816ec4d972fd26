using System.Security.Claims;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// WebAuthn passkeys through ASP.NET Core Identity: staff register them on the profile page after a
/// full sign-in, and a passkey with user verification (something held and a PIN or biometric)
/// is a complete multi-factor sign-in. The challenge state lives in Identity's short-lived
/// two-factor cookie (madoguchi.pending) between the options request and the form post.
/// </summary>
public static class Passkeys
{
    /// <summary>Madoguchi:PublicOrigin, e.g. https://madoguchi.city.example.jp — the origin browsers see.</summary>
    public const string PublicOriginSetting = "Madoguchi:PublicOrigin";

    public static WebApplicationBuilder AddPasskeys(this WebApplicationBuilder builder)
    {
        var origin = builder.Configuration[PublicOriginSetting] is { Length: > 0 } o ? new Uri(o.TrimEnd('/')) : null;
        builder.Services.TryAddScoped<IPasskeyHandler<StaffUser>, PasskeyHandler<StaffUser>>();
        builder.Services.Configure<IdentityPasskeyOptions>(p =>
        {
            // A passkey sign-in replaces password and code: it must prove the person, not only the device.
            p.UserVerificationRequirement = "required";
            // Discoverable credentials, so the sign-in page needs no e-mail address first.
            p.ResidentKeyRequirement = "required";
            // Behind a reverse proxy the request host may be internal: the RP id and the accepted
            // origin are then the public ones. Without the setting, the request's own scheme and host
            // (the scheme after the trusted proxy's X-Forwarded-Proto) are the origin and the RP id.
            if (origin is not null) p.ServerDomain = origin.Host;
            p.ValidateOrigin = ctx =>
            {
                var expected = origin?.GetLeftPart(UriPartial.Authority) ?? $"{ctx.HttpContext.Request.Scheme}://{ctx.HttpContext.Request.Host}";
                return ValueTask.FromResult(!ctx.CrossOrigin && string.Equals(ctx.Origin, expected, StringComparison.OrdinalIgnoreCase));
            };
        });
        return builder;
    }

    public static WebApplication MapPasskeys(this WebApplication app)
    {
        // Options for navigator.credentials.get() on the sign-in page (any discoverable passkey).
        app.MapPost("/staff/signin/passkey/options", async (HttpContext ctx, IAntiforgery antiforgery, SignInManager<StaffUser> signIn) =>
        {
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            return Results.Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json");
        }).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn);

        // Options for navigator.credentials.create() on the profile page, for the signed-in member of staff.
        app.MapPost("/staff/profile/passkeys/options", async (HttpContext ctx, IAntiforgery antiforgery, SignInManager<StaffUser> signIn, UserManager<StaffUser> users) =>
        {
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            var user = await users.GetUserAsync(ctx.User);
            if (user is null) return Results.Unauthorized();
            var entity = new PasskeyUserEntity { Id = user.Id, Name = user.Email ?? user.Id, DisplayName = user.DisplayName is { Length: > 0 } d ? d : user.Email ?? user.Id };
            return Results.Content(await signIn.MakePasskeyCreationOptionsAsync(entity), "application/json");
        }).RequireAuthorization();
        return app;
    }

    /// <summary>The outcome of a passkey sign-in attempt.</summary>
    public enum Outcome { SignedIn, MustEnrol, Failed, Locked }

    /// <summary>
    /// Checks a navigator.credentials.get() result and, when it is good, opens the server session as
    /// the TOTP path does: the same throttle (per account and per address), lockout and enrolment rules.
    /// </summary>
    public static async Task<(Outcome Outcome, TimeSpan? Wait)> SignInAsync(StaffSignIn steps, SignInManager<StaffUser> signIn, UserManager<StaffUser> users, TimeProvider clock, string? credentialJson)
    {
        if (steps.RetryAfterAddress() is { } busy) return (Outcome.Locked, busy);
        if (string.IsNullOrWhiteSpace(credentialJson)) return (Outcome.Failed, null);
        PasskeyAssertionResult<StaffUser> result;
        try
        {
            result = await signIn.PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // No challenge pending (expired, or a replayed post): nothing to check against.
            result = PasskeyAssertionResult.Fail<StaffUser>(new PasskeyException("no passkey request is pending"));
        }
        if (!result.Succeeded || !result.Passkey.IsUserVerified)
        {
            await steps.FailAsync(result.Succeeded ? result.User : null, result.Succeeded ? result.User.Email ?? "" : null);
            return (Outcome.Failed, steps.RetryAfterAddress());
        }
        var user = result.User;
        var email = user.Email ?? "";
        if (steps.RetryAfter(email) is { } wait) return (Outcome.Locked, wait);
        if (await users.IsLockedOutAsync(user))
        {
            var left = user.LockoutEnd is { } end ? end - clock.GetUtcNow() : SignInThrottle.Window;
            return (Outcome.Locked, left > SignInThrottle.Window || left <= TimeSpan.Zero ? SignInThrottle.Window : left);
        }
        // The new signature counter and flags are kept, so a cloned authenticator can be noticed.
        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        if (!user.TwoFactorEnabled)
        {
            // Every account enrols an authenticator app (it is also the way back when a device is lost).
            await steps.StartPendingAsync(user);
            return (Outcome.MustEnrol, null);
        }
        await steps.CompleteAsync(user);
        return (Outcome.SignedIn, null);
    }

    public static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
