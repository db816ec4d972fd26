using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>
/// A small OpenID Connect provider for tests: discovery, a JWKS with one RSA key, an authorize step
/// the test drives (the person signs in at the provider) and a token endpoint that checks the client
/// secret and PKCE and issues RS256-signed id_tokens. The app's backchannel is wired to it.
/// </summary>
public sealed class FakeOpenIdProvider : HttpMessageHandler
{
    public const string Issuer = "https://idp.test";
    public const string ClientId = "madoguchi";
    public const string ClientSecret = "test-client-secret";

    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new();

    /// <summary>What the person asserted at the provider, and how a test may spoil the id_token.</summary>
    public sealed record Person(string Email, bool EmailVerified = true, string[]? Amr = null, string? Acr = null, string? Nonce = null, RSA? SignWith = null);

    private sealed record Grant(Person Person, string Nonce, string Challenge);

    public static Dictionary<string, string?> Settings => new()
    {
        ["Madoguchi:Oidc:Authority"] = Issuer,
        ["Madoguchi:Oidc:ClientId"] = ClientId,
        ["Madoguchi:Oidc:ClientSecret"] = ClientSecret,
    };

    /// <summary>The person signs in at /authorize: returns the code the provider sends back with the browser.</summary>
    public string Authorize(IDictionary<string, string> query, Person person)
    {
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new Grant(person, query["nonce"], query["code_challenge"]);
        return code;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/.well-known/openid-configuration")
        {
            return Json(new
            {
                issuer = Issuer,
                authorization_endpoint = Issuer + "/authorize",
                token_endpoint = Issuer + "/token",
                jwks_uri = Issuer + "/jwks",
                response_types_supported = new[] { "code" },
                subject_types_supported = new[] { "public" },
                id_token_signing_alg_values_supported = new[] { "RS256" },
                code_challenge_methods_supported = new[] { "S256" },
            });
        }
        if (path == "/jwks")
        {
            var p = _key.ExportParameters(false);
            return Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "k1", n = Base64Url.EncodeToString(p.Modulus), e = Base64Url.EncodeToString(p.Exponent) } } });
        }
        if (path == "/token" && request.Method == HttpMethod.Post)
        {
            var form = (await request.Content!.ReadAsStringAsync(ct)).Split('&').Select(x => x.Split('=', 2))
                .ToDictionary(x => WebUtility.UrlDecode(x[0]), x => WebUtility.UrlDecode(x[1]));
            var secretOk = form.GetValueOrDefault("client_secret") == ClientSecret
                || request.Headers.Authorization?.Parameter == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
            if (!secretOk) return Error("invalid_client");
            if (!_codes.TryRemove(form.GetValueOrDefault("code") ?? "", out var grant)) return Error("invalid_grant");
            var verifier = form.GetValueOrDefault("code_verifier") ?? "";
            if (Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge) return Error("invalid_grant");
            return Json(new { access_token = "at-" + Guid.NewGuid().ToString("N"), token_type = "Bearer", expires_in = 300, id_token = IdToken(grant) });
        }
        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private string IdToken(Grant grant)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var person = grant.Person;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = "idp-" + person.Email,
            ["aud"] = ClientId,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
            ["nonce"] = person.Nonce ?? grant.Nonce,
            ["email"] = person.Email,
            ["email_verified"] = person.EmailVerified,
        };
        if (person.Amr is { } amr) claims["amr"] = amr;
        if (person.Acr is { } acr) claims["acr"] = acr;
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = "k1" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = (person.SignWith ?? _key).SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    private static HttpResponseMessage Json(object body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };

    private static HttpResponseMessage Error(string code) => new(HttpStatusCode.BadRequest)
    {
        Content = new StringContent(JsonSerializer.Serialize(new { error = code }), Encoding.UTF8, "application/json"),
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing) _key.Dispose();
        base.Dispose(disposing);
    }
}
