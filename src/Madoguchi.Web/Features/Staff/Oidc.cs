using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Web.Features.Staff;

/// <summary>Madoguchi:Oidc — the municipality's OpenID Connect provider for staff sign-in (optional).</summary>
public sealed class OidcSettings
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>Name on the sign-in button, e.g. "庁内の統合認証".</summary>
    public string DisplayName { get; set; } = "自治体の認証基盤";
    /// <summary>acr values that the provider only asserts after a multi-factor sign-in (comma-separated).</summary>
    public string? MfaAcr { get; set; }

    public bool Enabled => Authority is { Length: > 0 } && ClientId is { Length: > 0 } && ClientSecret is { Length: > 0 };
}

/// <summary>
/// Staff sign-in through the municipality's OpenID Connect provider (code flow with PKCE). The
/// provider only vouches for a person: the account, its roles and its department stay in Madoguchi,
/// matched by the verified e-mail address; nobody is provisioned. Unless the provider asserts a
/// multi-factor sign-in, Madoguchi asks its own second factor as after a password (see <see cref="OidcDoneModel"/>).
/// </summary>
public static class Oidc
{
    public const string Scheme = "oidc";
    public const string CallbackPath = "/staff/signin/oidc/callback";

    public static WebApplicationBuilder AddOidc(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Madoguchi:Oidc").Get<OidcSettings>() ?? new OidcSettings();
        builder.Services.AddSingleton(settings);
        if (!settings.Enabled) return builder;
        builder.Services.AddAuthentication().AddOpenIdConnect(Scheme, settings.DisplayName, o =>
        {
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = "code";
            o.UsePkce = true;
            o.CallbackPath = CallbackPath;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("email");
            // Claim names as the provider sends them (email, email_verified, amr, acr).
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            // The handler drops acr by default; it is needed to recognise a multi-factor sign-in.
            o.ClaimActions.Remove("acr");
            o.SaveTokens = false;
            o.Events.OnRemoteFailure = ctx =>
            {
                // A bad signature, wrong nonce, denied consent …: back to the sign-in page, no details leaked.
                ctx.Response.Redirect("/staff/signin?oidc=failed");
                ctx.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    public static WebApplication MapOidc(this WebApplication app)
    {
        // The page the person wanted rides in the handler's protected state (RedirectUri), so the
        // provider never sees it and nobody can swap it; the landing page checks it is local again.
        app.MapGet("/staff/signin/oidc", (OidcSettings settings, string? returnUrl) => settings.Enabled
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = StaffSignIn.Step("/staff/signin/oidc/done", returnUrl is { Length: > 0 } ? returnUrl : null) }, [Scheme])
            : Results.LocalRedirect("/staff/signin")).AllowAnonymous();
        // Answered by the OpenID Connect handler before it gets here; mapped so that routing knows the path.
        app.MapMethods(CallbackPath, ["GET", "POST"], () => Results.LocalRedirect("/staff/signin?oidc=failed")).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    /// <summary>What the sign-in page says after ?oidc=… (set by the endpoints above).</summary>
    public static string? Message(string? code) => code switch
    {
        "failed" => "認証基盤でのサインインを確認できませんでした。もう一度お試しください。続くときは、パスワードと確認コードでサインインしてください。",
        "unverified" => "認証基盤でメールアドレスが確認されていないため、サインインできません。認証基盤の管理者にメールアドレスの確認を依頼してください。",
        "unknown" => "認証基盤のメールアドレスに一致する職員アカウントがありません。Madoguchi の管理者にアカウントの作成を依頼してください。",
        "locked" => "サインインの失敗が続いたため、一時的にサインインできません。しばらくしてからもう一度お試しください。",
        _ => null,
    };
}
