using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>DESIGN.md §4.4: a passkey (WebAuthn, user verification required) as the alternative second factor.</summary>
public sealed partial class PasskeyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Asks for options as passkeys.js does: a POST with the page's antiforgery token in a header.</summary>
    private static async Task<string> OptionsAsync(HttpClient client, string page, string url)
    {
        var html = await client.GetStringAsync(page, Ct);
        var token = WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(html).Groups[1].Value);
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add("RequestVerificationToken", token);
        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static async Task<HttpResponseMessage> RegisterAsync(HttpClient client, SoftPasskey passkey, string name)
    {
        var options = await OptionsAsync(client, "/staff/profile", "/staff/profile/passkeys/options");
        return await MadoguchiFactory.PostFormAsync(client, "/staff/profile?handler=AddPasskey",
            new() { ["Passkey.Name"] = name, ["Passkey.CredentialJson"] = passkey.Create(options) }, getUrl: "/staff/profile");
    }

    private static async Task<HttpResponseMessage> PasskeySignInAsync(HttpClient client, SoftPasskey passkey, bool userVerified = true)
    {
        var options = await OptionsAsync(client, "/staff/signin", "/staff/signin/passkey/options");
        return await MadoguchiFactory.PostFormAsync(client, "/staff/signin?handler=Passkey",
            new() { ["CredentialJson"] = passkey.Get(options, userVerified) }, getUrl: "/staff/signin");
    }

    [Fact]
    public async Task A_passkey_registered_on_the_profile_signs_in_alone_into_a_server_session_and_stops_working_once_removed()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (owner, login) = await app.SignInNewUserAsync(Roles.Dx);
        using var passkey = new SoftPasskey();

        var registered = await RegisterAsync(owner, passkey, "窓口端末の指紋認証");

        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        var profile = await owner.GetStringAsync("/staff/profile", Ct);
        Assert.Contains("パスキー「窓口端末の指紋認証」を登録しました", profile);
        Assert.Contains("<td data-testid=\"passkey-name\">窓口端末の指紋認証</td>", profile);

        var client = app.CreatePlainClient();
        Assert.Contains("パスキーには JavaScript が必要です", await client.GetStringAsync("/staff/signin", Ct));
        var signedIn = await PasskeySignInAsync(client, passkey);
        Assert.Equal("/staff", signedIn.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/staff/inventory", Ct)).StatusCode);
        // The same kind of session as after password and code: a server row named by the cookie.
        var cookie = SignInTests.StaffCookie(signedIn);
        Assert.Equal(HttpStatusCode.OK, (await SignInTests.Replay(app, cookie)).StatusCode);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var userId = (await db.Users.SingleAsync(u => u.Email == login.Email, Ct)).Id;
            Assert.Equal(2, await db.StaffSessions.CountAsync(s => s.UserId == userId && s.EndedAt == null, Ct));
        }

        var id = PasskeyId().Match(await owner.GetStringAsync("/staff/profile", Ct)).Groups[1].Value;
        var removed = await MadoguchiFactory.PostFormAsync(owner, "/staff/profile?handler=RemovePasskey&id=" + id, [], getUrl: "/staff/profile");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Contains("登録済みのパスキーはありません", await owner.GetStringAsync("/staff/profile", Ct));
        var afterRemoval = await PasskeySignInAsync(app.CreatePlainClient(), passkey);
        Assert.Equal(HttpStatusCode.OK, afterRemoval.StatusCode);
        Assert.Contains("パスキーでサインインできませんでした", await afterRemoval.Content.ReadAsStringAsync(Ct));
    }

    [GeneratedRegex("action=\"/staff/profile\\?id=([A-Za-z0-9_-]+)&amp;handler=RemovePasskey\"")]
    private static partial Regex PasskeyId();

    [Fact]
    public async Task Without_user_verification_or_with_a_replayed_assertion_or_a_foreign_origin_there_is_no_session()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (owner, _) = await app.SignInNewUserAsync(Roles.Dx);
        using var passkey = new SoftPasskey();
        Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(owner, passkey, "USBキー")).StatusCode);

        var client = app.CreatePlainClient();
        var touchOnly = await PasskeySignInAsync(client, passkey, userVerified: false);
        Assert.Equal(HttpStatusCode.OK, touchOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff", Ct)).StatusCode);

        // A good assertion posted twice: the challenge was used up by the first post.
        var options = await OptionsAsync(client, "/staff/signin", "/staff/signin/passkey/options");
        var assertion = passkey.Get(options);
        var first = await MadoguchiFactory.PostFormAsync(client, "/staff/signin?handler=Passkey", new() { ["CredentialJson"] = assertion }, getUrl: "/staff/signin");
        Assert.Equal("/staff", first.Headers.Location?.OriginalString);
        var thief = app.CreatePlainClient();
        await OptionsAsync(thief, "/staff/signin", "/staff/signin/passkey/options");
        var replay = await MadoguchiFactory.PostFormAsync(thief, "/staff/signin?handler=Passkey", new() { ["CredentialJson"] = assertion }, getUrl: "/staff/signin");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await thief.GetAsync("/staff", Ct)).StatusCode);

        // A phishing site relaying the challenge: the browser writes that site's origin into the signed data.
        using var phished = new SoftPasskey("https://madoguchi.example.net");
        var elsewhere = app.CreatePlainClient();
        var creation = await OptionsAsync(owner, "/staff/profile", "/staff/profile/passkeys/options");
        var foreign = await MadoguchiFactory.PostFormAsync(owner, "/staff/profile?handler=AddPasskey",
            new() { ["Passkey.Name"] = "偽サイト", ["Passkey.CredentialJson"] = phished.Create(creation) }, getUrl: "/staff/profile");
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.Contains("パスキーを登録できませんでした", await foreign.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_passkey_sign_in_obeys_the_lockout_and_the_enrolment_rule()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (owner, login) = await app.SignInNewUserAsync(Roles.Dx);
        using var passkey = new SoftPasskey();
        Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(owner, passkey, "ノートPC")).StatusCode);
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(login.Email))!, TimeProvider.System.GetUtcNow().AddMinutes(10));
        }

        var locked = await PasskeySignInAsync(app.CreatePlainClient(), passkey);

        Assert.Equal((HttpStatusCode)429, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter?.Delta);
        Assert.Contains("一時的にサインインできません", await locked.Content.ReadAsStringAsync(Ct));

        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = (await users.FindByEmailAsync(login.Email))!;
            await users.SetLockoutEndDateAsync(user, null);
            // An administrator reset the authenticator app: the account must enrol again.
            await users.SetTwoFactorEnabledAsync(user, false);
        }
        var client = app.CreatePlainClient();
        var mustEnrol = await PasskeySignInAsync(client, passkey);
        Assert.Equal("/staff/signin/enrol", mustEnrol.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff", Ct)).StatusCode);
        Assert.Contains("認証アプリの登録", await client.GetStringAsync("/staff/signin/enrol", Ct));
    }

    [Fact]
    public async Task Five_failed_passkey_attempts_from_one_address_get_429_with_Retry_After()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        using var unknown = new SoftPasskey();
        unknown.Create("""{"rp":{"id":"localhost"},"user":{"id":"AAAA"},"challenge":"AAAA"}""");
        var client = app.CreatePlainClient();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PasskeySignInAsync(client, unknown)).StatusCode);
        }

        var fifth = await PasskeySignInAsync(client, unknown);
        Assert.Equal((HttpStatusCode)429, fifth.StatusCode);
        Assert.NotNull(fifth.Headers.RetryAfter?.Delta);
        // The address is blocked for the password form too.
        var password = await MadoguchiFactory.PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = "x@test.example", ["Input.Password"] = "whatever-password" });
        Assert.Equal((HttpStatusCode)429, password.StatusCode);
    }

    [Fact]
    public async Task With_a_public_origin_configured_it_is_the_rp_id_and_the_only_accepted_origin()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { [Passkeys.PublicOriginSetting] = "https://madoguchi.city.example.jp" });
        var (owner, _) = await app.SignInNewUserAsync(Roles.Dx);
        using var internalHost = new SoftPasskey("https://localhost");
        using var publicHost = new SoftPasskey("https://madoguchi.city.example.jp");

        var options = await OptionsAsync(owner, "/staff/profile", "/staff/profile/passkeys/options");
        Assert.Contains("\"id\":\"madoguchi.city.example.jp\"", options);
        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync(owner, internalHost, "内部名")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(owner, publicHost, "公開名")).StatusCode);

        var signedIn = await PasskeySignInAsync(app.CreatePlainClient(), publicHost);
        Assert.Equal("/staff", signedIn.Headers.Location?.OriginalString);
    }
}
