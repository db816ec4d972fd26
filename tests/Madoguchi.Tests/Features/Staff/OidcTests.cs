using System.Net;
using System.Security.Cryptography;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>
/// Staff sign-in through the municipality's OpenID Connect provider, end to end against
/// <see cref="FakeOpenIdProvider"/>: only existing accounts by verified e-mail, own second factor
/// unless the provider asserts MFA, and tokens with a wrong nonce or signature refused.
/// </summary>
public sealed class OidcTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Setup : IAsyncDisposable
    {
        public required MadoguchiFactory App { get; init; }
        public required WebApplicationFactory<Program> Host { get; init; }
        public required FakeOpenIdProvider Idp { get; init; }

        public HttpClient Client() => Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await App.DisposeAsync();
            Idp.Dispose();
        }
    }

    private static async Task<Setup> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = FakeOpenIdProvider.Settings;
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var app = await MadoguchiFactory.CreateAsync(settings);
        // Correlation and nonce cookies expire by the app's clock: run it on real time for this flow.
        app.Clock.Set(DateTimeOffset.UtcNow);
        var idp = new FakeOpenIdProvider();
        var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.Configure<OpenIdConnectOptions>(Oidc.Scheme, o => o.BackchannelHttpHandler = idp)));
        return new Setup { App = app, Host = host, Idp = idp };
    }

    /// <summary>
    /// The browser's round trip: app → provider (person signs in) → form_post back → app. Returns
    /// where the person goes next: a redirect's target, or the "続ける" link of the landing page.
    /// </summary>
    private static async Task<string?> SignInAsync(Setup s, HttpClient client, FakeOpenIdProvider.Person person, string from = "/staff/signin/oidc")
    {
        var start = await client.GetAsync(from, Ct);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.StartsWith(FakeOpenIdProvider.Issuer + "/authorize", authorize.ToString());
        var query = QueryHelpers.ParseQuery(authorize.Query).ToDictionary(x => x.Key, x => x.Value.ToString());
        var code = s.Idp.Authorize(query, person);
        var callback = await client.PostAsync(new Uri(query["redirect_uri"]).PathAndQuery,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = code, ["state"] = query["state"] }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        var landing = callback.Headers.Location?.OriginalString;
        if (landing is null || !landing.StartsWith("/staff/signin/oidc/done", StringComparison.Ordinal)) return landing;
        var done = await client.GetAsync(landing, Ct);
        if (done.StatusCode == HttpStatusCode.Redirect) return done.Headers.Location?.OriginalString;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        return System.Text.RegularExpressions.Regex.Match(await done.Content.ReadAsStringAsync(Ct), "href=\"([^\"]+)\" data-continue").Groups[1].Value;
    }

    [Fact]
    public async Task An_existing_account_with_mfa_at_the_provider_gets_a_session_without_a_madoguchi_code()
    {
        await using var s = await StartAsync();
        var (email, _) = await s.App.CreateUserAsync(Roles.Dx);
        var client = s.Client();
        Assert.Contains("自治体の認証基盤 でサインイン", await client.GetStringAsync("/staff/signin", Ct));

        var done = await SignInAsync(s, client, new(email, Amr: ["pwd", "otp"]));

        Assert.Equal("/staff", done);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/staff/inventory", Ct)).StatusCode);
        await using var scope = s.App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email, Ct);
        Assert.Equal(1, await db.StaffSessions.CountAsync(x => x.UserId == user.Id && x.EndedAt == null, Ct));
        // Roles stay Madoguchi's: the provider said nothing about them and the account is still dx only.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff/admin/users", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_password_only_sign_in_at_the_provider_still_asks_madoguchis_second_factor_or_its_enrolment()
    {
        await using var s = await StartAsync();
        var (enrolledClient, login) = await s.App.SignInNewUserAsync(Roles.Dx);
        var (newcomer, _) = await s.App.CreateUserAsync(Roles.Dx);
        var client = s.Client();

        var done = await SignInAsync(s, client, new(login.Email, Amr: ["pwd"]));

        Assert.Equal("/staff/signin/code", done);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff", Ct)).StatusCode);
        var code = await MadoguchiFactory.PostFormAsync(client, "/staff/signin/code", new() { ["Input.Code"] = Totp.Next(login.TotpKey) });
        Assert.Equal("/staff", code.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/staff", Ct)).StatusCode);

        var first = await SignInAsync(s, s.Client(), new(newcomer));
        Assert.Equal("/staff/signin/enrol", first);
    }

    [Fact]
    public async Task The_page_a_person_was_sent_to_sign_in_from_is_opened_after_the_provider_and_the_second_factor()
    {
        await using var s = await StartAsync();
        var (mfaEmail, _) = await s.App.CreateUserAsync(Roles.Dx);
        var (_, login) = await s.App.SignInNewUserAsync(Roles.Dx);
        var client = s.Client();
        const string Wanted = "/staff/inventory?q=%E4%BF%9D%E8%82%B2";

        // The sign-in page a staff page sent the person to offers the provider with the same destination.
        var page = await client.GetStringAsync("/staff/signin?returnUrl=" + Uri.EscapeDataString(Wanted), Ct);
        var start = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "href=\"(/staff/signin/oidc[^\"]*)\"").Groups[1].Value);
        Assert.Equal("/staff/signin/oidc?returnUrl=" + Uri.EscapeDataString(Wanted), start);

        // Multi-factor at the provider: straight to the page.
        Assert.Equal(Wanted, await SignInAsync(s, client, new(mfaEmail, Amr: ["pwd", "otp"]), start));

        // A password at the provider: Madoguchi's code first, then the page.
        var other = s.Client();
        var next = await SignInAsync(s, other, new(login.Email, Amr: ["pwd"]), start);
        Assert.Equal("/staff/signin/code?returnUrl=" + Uri.EscapeDataString(Wanted), next);
        var code = await MadoguchiFactory.PostFormAsync(other, next!, new() { ["Input.Code"] = Totp.Next(login.TotpKey), ["ReturnUrl"] = Wanted });
        Assert.Equal(Wanted, code.Headers.Location?.OriginalString);

        // Another site is never a destination.
        Assert.Equal("/staff", await SignInAsync(s, s.Client(), new(mfaEmail, Amr: ["otp"]), "/staff/signin/oidc?returnUrl=" + Uri.EscapeDataString("https://evil.example/")));
        Assert.Equal("/staff", await SignInAsync(s, s.Client(), new(mfaEmail, Amr: ["otp"]), "/staff/signin/oidc?returnUrl=" + Uri.EscapeDataString("//evil.example/")));
    }

    [Fact]
    public async Task A_configured_acr_counts_as_mfa()
    {
        await using var s = await StartAsync(new() { ["Madoguchi:Oidc:MfaAcr"] = "urn:city:loa:high" });
        var (email, _) = await s.App.CreateUserAsync(Roles.Dx);

        var high = await SignInAsync(s, s.Client(), new(email, Acr: "urn:city:loa:high"));
        var low = await SignInAsync(s, s.Client(), new(email, Acr: "urn:city:loa:low"));

        Assert.Equal("/staff", high);
        Assert.Equal("/staff/signin/enrol", low);
    }

    [Fact]
    public async Task An_unknown_or_unverified_email_is_refused_and_nobody_is_provisioned()
    {
        await using var s = await StartAsync();
        var (email, _) = await s.App.CreateUserAsync(Roles.Dx);
        var client = s.Client();

        var unknown = await SignInAsync(s, client, new("stranger@city.example.jp", Amr: ["mfa"]));
        var unverified = await SignInAsync(s, client, new(email, EmailVerified: false, Amr: ["mfa"]));

        Assert.Equal("/staff/signin?oidc=unknown", unknown);
        Assert.Equal("/staff/signin?oidc=unverified", unverified);
        Assert.Contains("一致する職員アカウントがありません", await client.GetStringAsync("/staff/signin?oidc=unknown", Ct));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff", Ct)).StatusCode);
        await using var scope = s.App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "stranger@city.example.jp", Ct));
        Assert.Equal(0, await db.StaffSessions.CountAsync(Ct));
    }

    [Fact]
    public async Task An_id_token_with_a_wrong_nonce_or_a_foreign_signature_is_refused()
    {
        await using var s = await StartAsync();
        var (email, _) = await s.App.CreateUserAsync(Roles.Dx);
        using var attackerKey = RSA.Create(2048);
        var client = s.Client();

        var wrongNonce = await SignInAsync(s, client, new(email, Amr: ["mfa"], Nonce: "638000000000000000.bm9uY2U"));
        var forged = await SignInAsync(s, client, new(email, Amr: ["mfa"], SignWith: attackerKey));

        Assert.Equal("/staff/signin?oidc=failed", wrongNonce);
        Assert.Equal("/staff/signin?oidc=failed", forged);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff", Ct)).StatusCode);
        await using var scope = s.App.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().StaffSessions.CountAsync(Ct));
    }

    [Fact]
    public async Task Without_configuration_there_is_no_provider_button_and_the_route_goes_back_to_the_sign_in_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = app.CreatePlainClient();

        Assert.DoesNotContain("/staff/signin/oidc", await client.GetStringAsync("/staff/signin", Ct));
        Assert.Equal("/staff/signin", (await client.GetAsync("/staff/signin/oidc", Ct)).Headers.Location?.OriginalString);
    }
}
