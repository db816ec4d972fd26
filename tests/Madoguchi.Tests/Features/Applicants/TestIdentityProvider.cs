using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Madoguchi.Tests.Features.Applicants;

/// <summary>
/// A real OpenID Connect provider (OpenIddict server, degraded mode with ephemeral keys) on a
/// Kestrel HTTPS port of its own: discovery, a login page the resident posts, code flow with PKCE,
/// id_tokens signed with its key and a userinfo endpoint with the person's claims, as a My Number
/// card identity service would give them.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "madoguchi-residents";
    public const string ClientSecret = "residents-client-secret";

    /// <summary>A person known to the provider: what they type at its login page and the claims it asserts.</summary>
    public sealed record Person(string Username, string Password, string Subject, JsonObject Claims);

    public static Person Hanako => new("hanako", "correct horse", "jpki-0001-hanako", new JsonObject
    {
        ["name"] = "山田 花子",
        ["family_name"] = "山田",
        ["given_name"] = "花子",
        ["family_name#ja-Kana-JP"] = "ヤマダ",
        ["given_name#ja-Kana-JP"] = "ハナコ",
        ["birthdate"] = "1990-04-01",
        ["email"] = "hanako@example.jp",
        ["phone_number"] = "+81 3-3647-9111",
        ["address"] = new JsonObject
        {
            ["postal_code"] = "135-8383",
            ["region"] = "東京都",
            ["locality"] = "江東区",
            ["street_address"] = "東陽四丁目11番28号",
            ["country"] = "JP",
        },
    });

    private readonly WebApplication _app;
    private readonly Dictionary<string, Person> _people;

    public X509Certificate2 Certificate { get; }
    public string Authority { get; }

    private TestIdentityProvider(WebApplication app, X509Certificate2 certificate, string authority, Dictionary<string, Person> people)
    {
        _app = app;
        Certificate = certificate;
        Authority = authority;
        _people = people;
    }

    /// <summary>Configuration for the app (Madoguchi:ApplicantOidc:*).</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Madoguchi:ApplicantOidc:Authority"] = Authority,
        ["Madoguchi:ApplicantOidc:ClientId"] = ClientId,
        ["Madoguchi:ApplicantOidc:ClientSecret"] = ClientSecret,
    };

    /// <summary>A handler that trusts exactly this provider's certificate (for the app's backchannel and the test browser).</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == Certificate.GetCertHashString() },
    };

    public static async Task<TestIdentityProvider> StartAsync(params Person[] people)
    {
        var certificate = CreateCertificate();
        var known = (people.Length == 0 ? [Hanako] : people).ToDictionary(p => p.Subject);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize")
                .SetTokenEndpointUris("connect/token")
                .SetUserInfoEndpointUris("connect/userinfo");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Address, Scopes.Email, Scopes.Phone);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // No client or token store: the handlers below check the one client by hand.
            o.EnableDegradedMode();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableUserInfoEndpointPassthrough();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId) ctx.Reject(Errors.InvalidClient, "unknown client");
                else if (ctx.RedirectUri is null || !ctx.RedirectUri.StartsWith("https://localhost/", StringComparison.Ordinal)) ctx.Reject(Errors.InvalidRequest, "redirect_uri not registered");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(h => h.UseInlineHandler(ctx =>
            {
                if (ctx.Request.ClientId != ClientId || ctx.Request.ClientSecret != ClientSecret) ctx.Reject(Errors.InvalidClient, "bad client credentials");
                return default;
            }));
        });
        var app = builder.Build();
        app.UseAuthentication();
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Func<HttpContext, Task<IResult>>)(ctx => AuthorizeAsync(ctx, known)));
        app.MapMethods("/connect/userinfo", ["GET", "POST"], async (HttpContext ctx) =>
        {
            var result = await ctx.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var sub = result.Principal?.GetClaim(Claims.Subject);
            if (sub is null || !known.TryGetValue(sub, out var person)) return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            var body = person.Claims.DeepClone().AsObject();
            body["sub"] = sub;
            return Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var port = new Uri(app.Urls.First()).Port;
        return new TestIdentityProvider(app, certificate, $"https://127.0.0.1:{port}/", known);
    }

    /// <summary>GET shows the login page (the request's parameters as hidden fields); POST checks the password and answers with a code.</summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext ctx, Dictionary<string, Person> people)
    {
        var request = ctx.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an authorization request");
        if (!HttpMethods.IsPost(ctx.Request.Method)) return LoginPage(request, "");
        var form = await ctx.Request.ReadFormAsync();
        var person = people.Values.FirstOrDefault(p => p.Username == form["username"] && p.Password == form["password"]);
        if (person is null) return LoginPage(request, "<p class=\"error\">wrong password</p>");
        var identity = new ClaimsIdentity("provider", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Subject);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult LoginPage(OpenIddictRequest request, string error)
    {
        var html = new StringBuilder("<!doctype html><html><body><h1>Identity service</h1>").Append(error).Append("<form method=\"post\" action=\"/connect/authorize\">");
        foreach (var (name, value) in request.GetParameters())
        {
            if (name is "username" or "password") continue;
            html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(name)).Append("\" value=\"").Append(WebUtility.HtmlEncode((string?)value)).Append("\">");
        }
        html.Append("<input name=\"username\"><input name=\"password\" type=\"password\"><button>Sign in</button></form></body></html>");
        return Results.Content(html.ToString(), "text/html", Encoding.UTF8);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a loadable form on Linux.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
