using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Audit;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

/// <summary>
/// Issue 9 "SIGKILL and restart lose no ticket or state": the real app process issues tickets and
/// calls one, is killed with SIGKILL, and after a restart every ticket, the call and the numbering are there.
/// </summary>
public sealed class QueueCrashTests
{
    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Tickets_and_a_call_survive_kill_9_and_numbering_and_the_counter_carry_on_after_restart()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var q = Build(counters: 1, office: o => o.TicketsAnyHour = true, service: s => s.RemoteTickets = true);
        await using (var ctx = db.CreateContext())
        {
            ctx.AddRange(q.Office, q.Section, q.Service, q.Other, q.Counters[0]);
            // The process runs on the real clock: today's shift in Japan time.
            ctx.CounterShifts.Add(new CounterShift { CounterId = q.Counters[0].Id, Date = JapanTime.Today(TimeProvider.System), UserId = "test", ServiceIds = q.Service.Id.ToString(), AssignedAt = DateTimeOffset.UtcNow });
            await ctx.SaveChangesAsync(Ct);
        }
        var password = Madoguchi.Web.Features.Platform.DemoData.GeneratePassword();
        var user = await CliRunner.RunAsync(db, "user", "create", "--email", "counter@test.example", "--password", password, "--role", "counter");
        Assert.True(user.ExitCode == 0, user.Stderr);
        var created = await CliRunner.RunAsync(db, "token", "create", "--email", "counter@test.example", "--scope", "queue:write");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var token = created.Stdout.TrimEnd().Split('\n')[^1].Trim();

        var port = DurabilityTests.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var server = await DurabilityTests.StartAsync(db, port, http);
        var acknowledged = new List<int>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                using var response = await http.PostAsync($"/api/v1/offices/{q.Office.Id}/services/{q.Service.Id}/tickets", null, Ct);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                acknowledged.Add((int)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["number"]!);
            }
            using var call = await Counter(http, token, q, "call-next");
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        }
        finally
        {
            server.Kill(); // SIGKILL: nothing is flushed or shut down gracefully
            await server.WaitForExitAsync(Ct);
        }

        var restarted = await DurabilityTests.StartAsync(db, port, http);
        try
        {
            await using (var ctx = db.CreateContext())
            {
                var tickets = await ctx.Tickets.AsNoTracking().OrderBy(t => t.Number).ToListAsync(Ct);
                Assert.Equal(acknowledged, tickets.Select(t => t.Number));
                var first = tickets[0];
                Assert.Equal((TicketStatus.Called, q.Counters[0].Id), (first.Status, first.CounterId!.Value));
                Assert.All(tickets.Skip(1), t => Assert.Equal(TicketStatus.Waiting, t.Status));
            }
            // The counter still has its open ticket, numbering goes on, and the queue continues where it was.
            using var again = await Counter(http, token, q, "call-next");
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            using var next = await http.PostAsync($"/api/v1/offices/{q.Office.Id}/services/{q.Service.Id}/tickets", null, Ct);
            Assert.Equal(2010, (int)(await next.Content.ReadFromJsonAsync<JsonObject>(Ct))!["number"]!);
            using var done = await Counter(http, token, q, "complete");
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            using var following = await Counter(http, token, q, "call-next");
            Assert.Equal(2001, (int)(await following.Content.ReadFromJsonAsync<JsonObject>(Ct))!["number"]!);
        }
        finally
        {
            restarted.Kill();
            await restarted.WaitForExitAsync(Ct);
        }
    }

    private static Task<HttpResponseMessage> Counter(HttpClient http, string token, QueueSetup q, string action)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/counters/{q.Counters[0].Id}/{action}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request, Ct);
    }
}
