using System.Net;
using System.Net.Http.Headers;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

public sealed class TicketApiTests
{
    [Fact]
    public async Task A_kiosk_of_the_office_gets_201_with_number_ahead_and_status_url()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        var token = await app.KioskTokenAsync(q.Office);
        var client = app.CreatePlainClient();

        var first = await PostTicketAsync(client, q.Office, q.Service, token);
        var second = await PostTicketAsync(client, q.Office, q.Service, token, new { language = "en", priority = false });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var body = await JsonAsync(second);
        Assert.Equal(2001, (int)body["number"]!);
        Assert.Equal(1, (int)body["ahead"]!);
        var statusUrl = (string)body["statusUrl"]!;
        Assert.Matches("^https://localhost/queue/tickets/[A-Za-z0-9_-]{24}$", statusUrl);
        Assert.Equal(statusUrl, second.Headers.Location?.ToString());
        await using var scope = app.Scope();
        var stored = await scope.Db().Tickets.AsNoTracking().SingleAsync(t => t.Number == 2001, Ct);
        Assert.Equal("en", stored.Language);
        Assert.Equal("発券機A", stored.KioskName);
    }

    [Fact]
    public async Task Without_a_valid_kiosk_token_only_remote_ticket_services_issue()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(other: s => s.RemoteTickets = true);
        var elsewhere = Build().Office;
        await app.SaveAsync(elsewhere);
        var revoked = await app.KioskTokenAsync(q.Office, revoke: true);
        var foreign = await app.KioskTokenAsync(elsewhere);
        var client = app.CreatePlainClient();

        var anonymous = await PostTicketAsync(client, q.Office, q.Service, null);
        var withRevoked = await PostTicketAsync(client, q.Office, q.Service, revoked);
        var withForeign = await PostTicketAsync(client, q.Office, q.Service, foreign);
        var forged = await PostTicketAsync(client, q.Office, q.Service, revoked[..^4] + "AAAA");
        var remote = await PostTicketAsync(client, q.Office, q.Other, null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Contains("発券機", (string)(await JsonAsync(anonymous))["title"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, withRevoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withForeign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Created, remote.StatusCode);
        await using var scope = app.Scope();
        Assert.Equal(1, await scope.Db().Tickets.CountAsync(Ct));
    }

    [Fact]
    public async Task Outside_opening_hours_and_on_closed_days_is_409_unless_the_office_takes_tickets_at_any_hour()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(service: s => s.RemoteTickets = true);
        var client = app.CreatePlainClient();

        app.Clock.Set(new DateTimeOffset(2025, 4, 1, 17, 0, 0, TimeSpan.FromHours(9)));
        var evening = await PostTicketAsync(client, q.Office, q.Service, null);
        app.Clock.Set(new DateTimeOffset(2025, 4, 6, 10, 0, 0, TimeSpan.FromHours(9)));
        var sunday = await PostTicketAsync(client, q.Office, q.Service, null);
        app.Clock.Set(new DateTimeOffset(2025, 4, 1, 8, 30, 0, TimeSpan.FromHours(9)));
        var opening = await PostTicketAsync(client, q.Office, q.Service, null);
        await using (var scope = app.Scope())
        {
            await scope.Db().Offices.Where(o => o.Id == q.Office.Id).ExecuteUpdateAsync(u => u.SetProperty(o => o.TicketsAnyHour, true), Ct);
        }
        app.Clock.Set(new DateTimeOffset(2025, 4, 6, 23, 0, 0, TimeSpan.FromHours(9)));
        var anyHour = await PostTicketAsync(client, q.Office, q.Service, null);

        Assert.Equal(HttpStatusCode.Conflict, evening.StatusCode);
        var problem = await JsonAsync(evening);
        Assert.Equal("outside-hours", (string)problem["code"]!);
        Assert.Contains("8:30〜17:00", (string)problem["title"]!);
        Assert.Equal(HttpStatusCode.Conflict, sunday.StatusCode);
        Assert.Equal("closed-day", (string)(await JsonAsync(sunday))["code"]!);
        Assert.Equal(HttpStatusCode.Created, opening.StatusCode);
        Assert.Equal(HttpStatusCode.Created, anyHour.StatusCode);
    }

    [Fact]
    public async Task A_bad_language_is_422_with_the_field()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(service: s => s.RemoteTickets = true);

        var response = await PostTicketAsync(app.CreatePlainClient(), q.Office, q.Service, null, new { language = "fr" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("language", (string)(await JsonAsync(response))["errors"]![0]!["field"]!);
    }

    [Fact]
    public async Task Counter_actions_need_a_token_with_queue_write()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.IssueAsync(q);
        await app.AssignAsync(q.Counters[0], q.Service);
        var department = Builders.Department();
        await app.SaveAsync(department);
        var (email, _) = await app.CreateUserAsync(Roles.Staff, department.Id);
        string write, read;
        await using (var scope = app.Scope())
        {
            var user = (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))!;
            var tokens = scope.ServiceProvider.GetRequiredService<ApiTokens>();
            write = (await tokens.CreateAsync(user, "counter", "queue:write", null, Ct)).Secret;
            read = (await tokens.CreateAsync(user, "read", "inventory:read", null, Ct)).Secret;
        }
        var client = app.CreatePlainClient();
        Task<HttpResponseMessage> Call(string? token, string action = "call-next")
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/counters/{q.Counters[0].Id}/{action}");
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client.SendAsync(request, Ct);
        }

        var anonymous = await Call(null);
        var wrongScope = await Call(read);
        var called = await Call(write);
        var again = await Call(write);
        var done = await Call(write, "complete");
        var nobody = await Call(write);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongScope.StatusCode);
        Assert.Equal(HttpStatusCode.OK, called.StatusCode);
        var body = await JsonAsync(called);
        Assert.Equal(2000, (int)body["number"]!);
        Assert.Equal("1", (string)body["counter"]!);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("ticket-open", (string)(await JsonAsync(again))["code"]!);
        Assert.Equal("Done", (string)(await JsonAsync(done))["status"]!);
        Assert.Equal(HttpStatusCode.NoContent, nobody.StatusCode);
        await using var check = app.Scope();
        Assert.True(await check.Db().AuditEntries.AnyAsync(e => e.Action == "queue.called" && e.Detail.Contains("number=2000"), Ct));
    }

    [Fact]
    public async Task Offices_lists_sections_services_with_ranges_and_counters_to_anyone()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(office: o => (o.OverflowFrom, o.OverflowTo) = (9000, 9999));

        var response = await app.CreatePlainClient().GetAsync("/api/v1/offices", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var offices = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsArray();
        var office = offices.Single(o => (string)o!["id"]! == q.Office.Id.ToString())!;
        Assert.Equal(9000, (int)office["overflow"]!["from"]!);
        var service = office["sections"]![0]!["services"]![0]!;
        Assert.Equal("転入", (string)service["name"]!);
        Assert.Equal(2000, (int)service["range"]!["from"]!);
        Assert.Equal(2299, (int)service["range"]!["to"]!);
        Assert.Equal(new[] { "1", "2" }, office["counters"]!.AsArray().Select(c => (string)c!["number"]!));
    }
}
