using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Madoguchi.Web.Features.Applicants;

/// <summary>
/// Madoguchi:ApplicantOidc — the identity provider residents sign in with (e.g. a My Number card
/// identity service). Separate from the staff provider (Madoguchi:Oidc): its own scheme and cookie.
/// </summary>
public sealed class ApplicantOidcSettings
{
    public string? Authority { get; set; }
    /// <summary>The issuer the provider's tokens must name; defaults to <see cref="Authority"/>.</summary>
    public string? Issuer { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>Scopes asked for besides openid (space- or comma-separated).</summary>
    public string Scopes { get; set; } = "profile address email phone";
    /// <summary>Name on the button: "{DisplayName}でサインインして始める".</summary>
    public string DisplayName { get; set; } = "マイナンバーカード";
    /// <summary>Whether to ask the userinfo endpoint for claims (when the provider has one) besides the id_token's.</summary>
    public bool UserInfo { get; set; } = true;
    /// <summary>
    /// Claim names of the provider, by the names forms use (<see cref="ApplicantPrefill.DefaultClaimMap"/>):
    /// e.g. ClaimMap:family_name_kana = "family_name#ja-Kana-JP". Only the entries that differ need be set.
    /// </summary>
    public Dictionary<string, string> ClaimMap { get; set; } = [];

    public bool Enabled => Authority is { Length: > 0 } && ClientId is { Length: > 0 } && ClientSecret is { Length: > 0 };

    public string ExpectedIssuer => (Issuer is { Length: > 0 } ? Issuer : Authority ?? "").TrimEnd('/');

    public string Claim(string name) => ClaimMap.TryGetValue(name, out var mapped) && mapped.Length > 0
        ? mapped
        : ApplicantPrefill.DefaultClaimMap.GetValueOrDefault(name, name);
}

/// <summary>
/// Residents' sign-in per form (docs/forms-format.md, signIn): code flow with PKCE against the
/// municipality's provider. The claims are used once, at the callback, to prefill a new draft
/// (<see cref="ApplicantSignIn"/>); the cookie that remains holds only a hash of issuer and subject,
/// is sent only under /forms and is read only by the resident pages: no staff policy ever sees it.
/// </summary>
public static class ApplicantsModule
{
    public const string CookieScheme = "applicant";
    public const string OidcScheme = "applicant-oidc";
    public const string CookieName = "madoguchi.applicant";
    public const string CallbackPath = "/forms/applicant/signin/callback";
    public const string FailedPath = "/forms/applicant/signin/failed";
    public const string SubjectClaim = "madoguchi:applicant";
    internal const string SlugItem = "madoguchi.form";

    public static WebApplicationBuilder AddApplicants(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Madoguchi:ApplicantOidc").Get<ApplicantOidcSettings>() ?? new ApplicantOidcSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.AddScoped<ApplicantSignIn>();
        var auth = builder.Services.AddAuthentication().AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            // Lax: the provider sends the resident back with a top-level GET, which must carry it.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            // Never sent to staff pages or the API.
            o.Cookie.Path = "/forms";
            o.ExpireTimeSpan = TimeSpan.FromMinutes(60);
            o.SlidingExpiration = true;
            // Nothing challenges this scheme through authorization; if anything did, no staff sign-in page.
            o.Events.OnRedirectToLogin = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        if (!settings.Enabled) return builder;
        auth.AddOpenIdConnect(OidcScheme, settings.DisplayName, o =>
        {
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = "code";
            // The code comes back in a plain redirect: no auto-submitting form that needs JavaScript.
            o.ResponseMode = "query";
            o.UsePkce = true;
            o.CallbackPath = CallbackPath;
            o.SignInScheme = CookieScheme;
            o.Scope.Clear();
            o.Scope.Add("openid");
            foreach (var scope in settings.Scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) o.Scope.Add(scope);
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = settings.UserInfo;
            // Userinfo claims the forms may use, as the provider names them (an address stays its JSON text).
            foreach (var name in ApplicantPrefill.DefaultClaimMap.Keys) o.ClaimActions.MapUniqueJsonKey(settings.Claim(name), settings.Claim(name));
            // Tokens are used once to read claims and are never kept.
            o.SaveTokens = false;
            // The handler trusts whatever issuer the discovery document names; a resident's identity
            // must come from the issuer the municipality configured (OpenID Connect Discovery §4.3).
            var expected = settings.ExpectedIssuer;
            o.TokenValidationParameters.IssuerValidator = (issuer, _, _) => string.Equals(issuer.TrimEnd('/'), expected, StringComparison.Ordinal)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException($"issuer '{issuer}' is not the configured '{expected}'");
            o.Events.OnTicketReceived = ctx => ctx.HttpContext.RequestServices.GetRequiredService<ApplicantSignIn>().CompleteAsync(ctx);
            o.Events.OnRemoteFailure = ctx =>
            {
                // Wrong nonce, issuer or signature, a denied consent …: back to the form, no details shown.
                var slug = ctx.Properties?.Items.TryGetValue(SlugItem, out var s) == true ? s : null;
                ctx.Response.Redirect(slug is null ? FailedPath : $"/forms/{Uri.EscapeDataString(slug)}?signin=failed");
                ctx.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    public static WebApplication MapApplicants(this WebApplication app)
    {
        app.MapPost("/forms/{slug}/applicant/signin", async (string slug, HttpContext ctx, IAntiforgery antiforgery, ApplicantOidcSettings settings, MadoguchiDbContext db, PublishedForms forms) =>
        {
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            var version = await forms.ForNewDraftAsync(db, slug, ctx.RequestAborted);
            if (version is null) return Results.NotFound();
            var definition = version.Definition;
            if (!settings.Enabled || definition.SignIn is null) return Results.LocalRedirect($"/forms/{Uri.EscapeDataString(slug)}");
            var properties = new AuthenticationProperties { RedirectUri = $"/forms/{Uri.EscapeDataString(slug)}" };
            properties.Items[SlugItem] = slug;
            return Results.Challenge(properties, [OidcScheme]);
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Submit);

        app.MapPost("/forms/{slug}/applicant/signout", async (string slug, HttpContext ctx, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            await ctx.SignOutAsync(CookieScheme);
            // The drafts on this device were the signed-in person's: the next user of the device must not open them.
            FormFilling.ClearAllCookies(ctx.Request, ctx.Response);
            return Results.LocalRedirect($"/forms/{Uri.EscapeDataString(slug)}?signin=signedout");
        }).AllowAnonymous();

        // Answered by the OpenID Connect handler before it gets here; mapped so that routing knows the path.
        app.MapGet(CallbackPath, () => Results.LocalRedirect(FailedPath)).AllowAnonymous();
        return app;
    }

    /// <summary>The signed-in resident's subject hash on this request, or null.</summary>
    public static async Task<string?> SubjectAsync(HttpContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var result = await ctx.AuthenticateAsync(CookieScheme);
        return result.Succeeded ? result.Principal?.FindFirst(SubjectClaim)?.Value : null;
    }

    /// <summary>
    /// Whether this request may open the draft: a signed-in resident's draft only with the same
    /// resident's applicant cookie (the draft cookie alone is not enough on a shared device).
    /// </summary>
    public static async Task<bool> MayOpenAsync(HttpContext ctx, Draft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return draft.ApplicantSubject is null || await SubjectAsync(ctx) == draft.ApplicantSubject;
    }

    /// <summary>The text key of what the start page says after ?signin=… (set by the endpoints above).</summary>
    public static string? MessageKey(string? code) => code is "failed" or "again" or "signedout" ? "applicant." + code : null;
}
