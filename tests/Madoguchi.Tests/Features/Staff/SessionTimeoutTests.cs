using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>
/// WCAG 2.2.1: staff pages warn before the idle limit ends the session and let staff stay signed in.
/// The page script's two calls are driven here as the script sends them.
/// </summary>
public sealed class SessionTimeoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonObject> StatusAsync(HttpClient client)
        => (await client.GetFromJsonAsync<JsonObject>("/staff/session", Ct))!;

    /// <summary>The antiforgery token of a staff page, taken once: the page a member of staff has open.</summary>
    private static async Task<string> TokenAsync(HttpClient client)
        => WebUtility.HtmlDecode(MadoguchiFactory.AntiforgeryToken().Match(await client.GetStringAsync("/staff", Ct)).Groups[1].Value);

    private static async Task<HttpResponseMessage> StayAsync(HttpClient client, string token, bool script, string returnUrl = "/staff/inventory")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/staff/session")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("returnUrl", returnUrl)]),
        };
        if (script) request.Headers.Accept.ParseAdd("application/json");
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Staff_pages_carry_the_warning_with_the_idle_limit_and_residents_pages_do_not()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Sessions:IdleMinutes"] = "20" });
        var staff = await app.SignedInClientAsync(Roles.Dx);

        var page = await staff.GetStringAsync("/staff/inventory", Ct);

        Assert.Contains("<dialog id=\"session-timeout\"", page, StringComparison.Ordinal);
        Assert.Contains("data-idle-seconds=\"1200\"", page, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/js/staff-session.js\" defer></script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("session-timeout", await app.CreatePlainClient().GetStringAsync("/", Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.CreatePlainClient().GetAsync("/js/staff-session.js", Ct)).StatusCode);
    }

    [Fact]
    public async Task Asking_how_long_is_left_does_not_keep_the_session_alive()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Sessions:IdleMinutes"] = "30", ["Madoguchi:Sessions:AbsoluteHours"] = "10" });
        var staff = await app.SignedInClientAsync(Roles.Dx);

        var fresh = await StatusAsync(staff);
        Assert.True(fresh["signedIn"]!.GetValue<bool>());
        Assert.Equal(30 * 60, fresh["idleSeconds"]!.GetValue<int>());
        Assert.Equal(10 * 3600, fresh["absoluteSeconds"]!.GetValue<int>());

        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(60, (await StatusAsync(staff))["idleSeconds"]!.GetValue<int>());
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        // 31 minutes with only the script asking: the session has ended.
        Assert.False((await StatusAsync(staff))["signedIn"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Redirect, (await staff.GetAsync("/staff", Ct)).StatusCode);
        Assert.False((await StatusAsync(app.CreatePlainClient()))["signedIn"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Staying_signed_in_starts_the_idle_limit_again_with_or_without_the_script()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Sessions:IdleMinutes"] = "30" });
        var staff = await app.SignedInClientAsync(Roles.Dx);

        var token = await TokenAsync(staff);

        // 29 minutes on one page with nothing sent; then "サインインを続ける".
        app.Clock.Advance(TimeSpan.FromMinutes(29));
        var stayed = await StayAsync(staff, token, script: true);
        Assert.Equal(HttpStatusCode.NoContent, stayed.StatusCode);
        Assert.Equal(30 * 60, (await StatusAsync(staff))["idleSeconds"]!.GetValue<int>());

        // The same form without the script comes back to the page it was on, and only to this site.
        app.Clock.Advance(TimeSpan.FromMinutes(29));
        var plain = await StayAsync(staff, token, script: false);
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        Assert.Equal("/staff/inventory", plain.Headers.Location?.OriginalString);
        Assert.Equal(30 * 60, (await StatusAsync(staff))["idleSeconds"]!.GetValue<int>());
        var elsewhere = await StayAsync(staff, token, script: false, returnUrl: "//attacker.example/");
        Assert.Equal("/staff", elsewhere.Headers.Location?.OriginalString);

        app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/staff", Ct)).StatusCode);
    }

    [Fact]
    public async Task Staying_signed_in_needs_the_pages_token_and_a_live_session()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var staff = await app.SignedInClientAsync(Roles.Dx);

        var forged = await staff.PostAsync("/staff/session", new FormUrlEncodedContent([new("returnUrl", "/staff")]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var anonymous = await app.CreatePlainClient().PostAsync("/staff/session", new FormUrlEncodedContent([new("returnUrl", "/staff")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/staff/signin", anonymous.Headers.Location?.PathAndQuery ?? anonymous.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }
}
