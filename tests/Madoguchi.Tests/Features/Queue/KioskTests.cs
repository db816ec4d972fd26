using System.Net;
using Madoguchi.Tests.Infrastructure;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

public sealed class KioskTests
{
    [Fact]
    public async Task Kiosk_register_prints_the_token_alone_on_the_last_line_and_the_kiosk_page_issues_a_printable_slip_until_revoked()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(office: o => o.TicketsAnyHour = true);

        var registered = await CliRunner.RunAsync(app.Database, "kiosk", "register", "--office", q.Office.Id.ToString(), "--name", "1階 発券機A");
        Assert.True(registered.ExitCode == 0, registered.Stderr);
        var token = registered.Stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.Matches("^kiosk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$", token);
        Assert.Equal(token, registered.Stdout.Trim());

        var api = await PostTicketAsync(app.CreatePlainClient(), q.Office, q.Service, token);
        Assert.Equal(HttpStatusCode.Created, api.StatusCode);

        // The browser kiosk: the token once, then a cookie.
        var kiosk = app.CreatePlainClient();
        Assert.Contains("発券機のトークン", await kiosk.GetStringAsync("/kiosk", Ct));
        var wrong = await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=Register", new() { ["token"] = token[..^2] + "xx" }, "/kiosk");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        var set = await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=Register", new() { ["token"] = token }, "/kiosk");
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.DoesNotContain(token, string.Join(";", set.Headers.GetValues("Set-Cookie")));
        var screen = await kiosk.GetStringAsync("/kiosk", Ct);
        Assert.Contains("転入", screen);
        Assert.Contains("待っている人 1 人", screen);

        var issued = await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=Issue", new() { ["service"] = q.Service.Id.ToString() }, "/kiosk");
        Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);
        var slipUrl = issued.Headers.Location!.OriginalString;
        Assert.StartsWith("/kiosk/tickets/", slipUrl);
        var slip = await kiosk.GetStringAsync(slipUrl, Ct);
        Assert.Contains("data-testid=\"ticket-number\">2001<", slip);
        Assert.Contains("data-testid=\"ticket-ahead\">1<", slip);
        var statusToken = slipUrl["/kiosk/tickets/".Length..];
        Assert.Contains($"https://localhost/queue/tickets/{statusToken}", slip);
        Assert.Contains($"<img src=\"/kiosk/qr/{statusToken}\"", slip);
        var qr = await kiosk.GetAsync($"/kiosk/qr/{statusToken}", Ct);
        Assert.Equal("image/svg+xml", qr.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", await qr.Content.ReadAsStringAsync(Ct));
        // Another device (no cookie) does not see the slip.
        Assert.Equal(HttpStatusCode.Redirect, (await app.CreatePlainClient().GetAsync(slipUrl, Ct)).StatusCode);

        await kiosk.GetAsync("/lang?to=en&returnUrl=/kiosk", Ct);
        var english = await kiosk.GetStringAsync("/kiosk", Ct);
        Assert.Contains("Take a number", english);
        Assert.Contains("Moving in", english);

        var list = await CliRunner.RunAsync(app.Database, "kiosk", "list");
        var id = System.Text.Json.Nodes.JsonNode.Parse(list.Stdout)!.AsArray()[0]!["id"]!.ToString();
        var revoked = await CliRunner.RunAsync(app.Database, "kiosk", "revoke", "--id", id);
        Assert.True(revoked.ExitCode == 0, revoked.Stderr);
        Assert.Contains("発券機のトークン", await kiosk.GetStringAsync("/kiosk", Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostTicketAsync(app.CreatePlainClient(), q.Office, q.Service, token)).StatusCode);
    }

    [Fact]
    public async Task The_kiosk_page_shows_the_refusal_outside_opening_hours()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        var token = await app.KioskTokenAsync(q.Office);
        var kiosk = app.CreatePlainClient();
        await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=Register", new() { ["token"] = token }, "/kiosk");
        app.Clock.Set(new DateTimeOffset(2025, 4, 1, 18, 0, 0, TimeSpan.FromHours(9)));

        var refused = await MadoguchiFactory.PostFormAsync(kiosk, "/kiosk?handler=Issue", new() { ["service"] = q.Service.Id.ToString() }, "/kiosk");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync(Ct);
        Assert.Contains("整理券を発行できません", page);
        Assert.Contains("発券時間は 8:30〜17:00 です。現在（18:00）は発券できません。", page);
    }

    [Fact]
    public async Task Admins_register_and_revoke_kiosks_on_the_admin_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        var admin = await app.SignedInClientAsync(Madoguchi.Web.Features.Staff.Roles.Admin);

        var created = await MadoguchiFactory.PostFormAsync(admin, "/staff/queue/kiosks?handler=Register", new() { ["office"] = q.Office.Id.ToString(), ["name"] = "2階 発券機" }, "/staff/queue/kiosks");
        var page = await created.Content.ReadAsStringAsync(Ct);
        var token = System.Text.RegularExpressions.Regex.Match(page, "data-testid=\"kiosk-token\">(kiosk_[^<]+)<").Groups[1].Value;
        var works = await PostTicketAsync(app.CreatePlainClient(), q.Office, q.Service, token);
        var id = System.Text.RegularExpressions.Regex.Match(await admin.GetStringAsync("/staff/queue/kiosks", Ct), "[?&](?:amp;)?id=([0-9a-f-]{36})").Groups[1].Value;
        var revoke = await MadoguchiFactory.PostFormAsync(admin, $"/staff/queue/kiosks?handler=Revoke&id={id}", [], "/staff/queue/kiosks");
        var refused = await PostTicketAsync(app.CreatePlainClient(), q.Office, q.Service, token);

        Assert.Equal(HttpStatusCode.Created, works.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
