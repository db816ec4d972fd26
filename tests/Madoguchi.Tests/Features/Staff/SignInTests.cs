using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>DESIGN.md §4.4: a second factor for every staff sign-in, lockout with 429, sessions held on the server.</summary>
public sealed class SignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] StaffPages = ["/staff", "/staff/inventory", "/staff/profile", "/staff/admin/users", "/staff/inventory/export", "/staff/denied"];

    private static Task<HttpResponseMessage> Password(HttpClient client, string email, string password, string? forwardedFor = null)
    {
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Remove("X-Forwarded-For");
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }
        return MadoguchiFactory.PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = email, ["Input.Password"] = password });
    }

    [Fact]
    public async Task No_staff_page_or_api_opens_before_the_second_factor_and_the_first_sign_in_forces_enrolment()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Admin);
        var client = app.CreatePlainClient();

        var afterPassword = await Password(client, email, password);

        Assert.Equal("/staff/signin/enrol", afterPassword.Headers.Location?.OriginalString);
        foreach (var page in StaffPages)
        {
            var r = await client.GetAsync(page, Ct);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/staff/signin", r.Headers.Location!.PathAndQuery);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/procedures", Ct)).StatusCode);
        // The code page is only for accounts that have enrolled: this one is sent back.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff/signin/code", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_enrolled_account_needs_its_code_a_wrong_one_is_refused_and_a_recovery_code_works_once()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (first, login) = await app.SignInNewUserAsync(Roles.Dx);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/staff", Ct)).StatusCode);
        var client = app.CreatePlainClient();

        var afterPassword = await Password(client, login.Email, login.Password);
        Assert.Equal("/staff/signin/code", afterPassword.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff/inventory", Ct)).StatusCode);
        var wrong = await MadoguchiFactory.PostFormAsync(client, "/staff/signin/code", new() { ["Input.Code"] = "000000" == Totp.Code(login.TotpKey, TimeProvider.System.GetUtcNow()) ? "111111" : "000000" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("確認コードが正しくないか、既に使われています", await wrong.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/staff/inventory", Ct)).StatusCode);

        var right = await MadoguchiFactory.PostFormAsync(client, "/staff/signin/code", new() { ["Input.Code"] = Totp.Next(login.TotpKey) });
        Assert.Equal("/staff", right.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/staff/inventory", Ct)).StatusCode);

        string recovery;
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(login.Email);
            recovery = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user!, 1))!.Single();
        }
        var third = app.CreatePlainClient();
        await Password(third, login.Email, login.Password);
        var withRecovery = await MadoguchiFactory.PostFormAsync(third, "/staff/signin/code", new() { ["Input.Code"] = recovery });
        Assert.Equal(HttpStatusCode.Redirect, withRecovery.StatusCode);
        var fourth = app.CreatePlainClient();
        await Password(fourth, login.Email, login.Password);
        var reused = await MadoguchiFactory.PostFormAsync(fourth, "/staff/signin/code", new() { ["Input.Code"] = recovery });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
    }

    [Fact]
    public async Task The_sixth_wrong_password_within_15_minutes_gets_429_with_Retry_After_even_with_the_right_password()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Staff, Guid.NewGuid());
        var client = app.CreatePlainClient();

        for (var i = 0; i < 4; i++)
        {
            var r = await Password(client, email, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("メールアドレスまたはパスワードが正しくありません", await r.Content.ReadAsStringAsync(Ct));
            app.Clock.Advance(TimeSpan.FromMinutes(2));
        }
        var fifth = await Password(client, email, "wrong-password-5");
        var sixth = await Password(client, email, password);

        Assert.Equal((HttpStatusCode)429, fifth.StatusCode);
        Assert.Equal((HttpStatusCode)429, sixth.StatusCode);
        var retry = sixth.Headers.RetryAfter?.Delta;
        Assert.NotNull(retry);
        // The first failure was 8 minutes ago: it leaves the 15-minute window in 7 minutes.
        Assert.InRange(retry.Value.TotalSeconds, 6 * 60, 7 * 60);
        Assert.Contains("一時的にサインインできません", await sixth.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_account_locked_in_the_database_gets_429_too_as_after_failures_on_another_instance()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Dx);
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<StaffUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(email))!, TimeProvider.System.GetUtcNow().AddMinutes(10));
        }

        var r = await Password(app.CreatePlainClient(), email, password);

        Assert.Equal((HttpStatusCode)429, r.StatusCode);
        Assert.InRange(r.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 15 * 60);
    }

    [Fact]
    public async Task Failures_are_counted_per_client_address_behind_the_proxy_across_accounts()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Dx);
        var attacker = app.CreatePlainClient();
        for (var i = 0; i < 5; i++)
        {
            await Password(attacker, $"guess{i}@test.example", "wrong-password", forwardedFor: "203.0.113.9");
        }

        var blocked = await Password(attacker, email, password, forwardedFor: "203.0.113.9");
        var other = await Password(app.CreatePlainClient(), email, password, forwardedFor: "198.51.100.7");

        Assert.Equal((HttpStatusCode)429, blocked.StatusCode);
        Assert.NotNull(blocked.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
    }

    [Fact]
    public async Task A_cookie_replayed_after_sign_out_is_refused()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (_, login) = await app.SignInNewUserAsync(Roles.Dx);
        var client = app.CreatePlainClient();
        var stolen = StaffCookie(await MadoguchiFactory.SignInAsync(client, login));
        Assert.Equal(HttpStatusCode.OK, (await Replay(app, stolen)).StatusCode);

        var signOut = await MadoguchiFactory.PostFormAsync(client, "/staff/signout", [], getUrl: "/staff");
        Assert.Equal("/staff/signin?signedOut=true", signOut.Headers.Location?.OriginalString);

        var response = await Replay(app, stolen);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/signin", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_the_other_sessions_and_each_sign_in_gets_a_new_session_id()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (phone, login) = await app.SignInNewUserAsync(Roles.Dx);
        var desk = app.CreatePlainClient();
        var first = StaffCookie(await MadoguchiFactory.SignInAsync(desk, login));
        var second = StaffCookie(await MadoguchiFactory.SignInAsync(desk, login));
        Assert.NotEqual(first, second);
        // Signing in again on the desk ended the desk's earlier session: the phone's and the new one remain.
        Assert.Equal(HttpStatusCode.Redirect, (await Replay(app, first)).StatusCode);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.Equal(2, await db.StaffSessions.CountAsync(s => s.EndedAt == null, Ct));
        }

        var r = await MadoguchiFactory.PostFormAsync(desk, "/staff/profile?handler=SignOutEverywhere", [], getUrl: "/staff/profile");

        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        var phoneNow = await phone.GetAsync("/staff", Ct);
        Assert.Equal(HttpStatusCode.Redirect, phoneNow.StatusCode);
        Assert.StartsWith("/staff/signin", phoneNow.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_session_ends_after_the_configured_idle_time_and_absolute_lifetime()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Sessions:IdleMinutes"] = "10", ["Madoguchi:Sessions:AbsoluteHours"] = "1" });
        var active = await app.SignedInClientAsync(Roles.Dx);
        var idle = await app.SignedInClientAsync(Roles.Dx);

        for (var i = 0; i < 5; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(9));
            Assert.Equal(HttpStatusCode.OK, (await active.GetAsync("/staff", Ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Redirect, (await idle.GetAsync("/staff", Ct)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, (await active.GetAsync("/staff", Ct)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(9));
        // 63 minutes after sign-in, active all along: the absolute lifetime of one hour has passed.
        Assert.Equal(HttpStatusCode.Redirect, (await active.GetAsync("/staff", Ct)).StatusCode);
    }

    /// <summary>The staff session cookie ("madoguchi.staff=…") a sign-in response sets.</summary>
    public static string StaffCookie(HttpResponseMessage response)
    {
        var set = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("madoguchi.staff=", StringComparison.Ordinal) && !c.StartsWith("madoguchi.staff=;", StringComparison.Ordinal));
        return set.Split(';')[0];
    }

    /// <summary>Sends a stored cookie from a fresh client, as an attacker who copied it would.</summary>
    public static Task<HttpResponseMessage> Replay(MadoguchiFactory app, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/staff");
        request.Headers.Add("Cookie", cookie);
        return app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost"), HandleCookies = false }).SendAsync(request, Ct);
    }
}
