using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

public sealed class NumberingTests
{
    [Fact]
    public async Task Numbering_restarts_at_midnight_Japan_time_not_UTC()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(office: o => o.TicketsAnyHour = true);
        // 2025-04-01 23:59 in Japan is 14:59 UTC: still the 1st.
        app.Clock.Set(new DateTimeOffset(2025, 4, 1, 14, 59, 0, TimeSpan.Zero));
        var late1 = await app.IssueAsync(q);
        var late2 = await app.IssueAsync(q);
        app.Clock.Set(new DateTimeOffset(2025, 4, 1, 15, 0, 0, TimeSpan.Zero));
        var morning = await app.IssueAsync(q);
        var snapshot = await app.SnapshotAsync(q);

        Assert.Equal((2000, 2001), (late1.Number, late2.Number));
        Assert.Equal(new DateOnly(2025, 4, 1), late1.ServiceDate);
        Assert.Equal(2000, morning.Number);
        Assert.Equal(new DateOnly(2025, 4, 2), morning.ServiceDate);
        // Yesterday's unserved tickets are not today's queue.
        Assert.Equal(new[] { 2000 }, snapshot.Sections[0].Services[0].Queue);
        Assert.Equal(1, snapshot.Sections[0].Waiting);
    }

    [Fact]
    public async Task An_exhausted_range_continues_in_the_overflow_range_and_the_console_warns()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(office: o => (o.OverflowFrom, o.OverflowTo) = (9000, 9001), service: s => (s.RangeFrom, s.RangeTo) = (2000, 2001));
        var client = await app.SignedInClientAsync(Madoguchi.Web.Features.Staff.Roles.Counter);
        var before = await client.GetStringAsync($"/staff/queue/console?counter={q.Counters[0].Id}", Ct);

        var numbers = new List<(int, bool)>();
        for (var i = 0; i < 4; i++)
        {
            var t = await app.IssueAsync(q);
            numbers.Add((t.Number, t.Overflow));
        }
        var none = await Assert.ThrowsAsync<QueueException>(() => app.IssueAsync(q));
        var other = await app.IssueAsync(q, q.Other);
        var after = await client.GetStringAsync($"/staff/queue/console?counter={q.Counters[0].Id}", Ct);

        Assert.Equal(new[] { (2000, false), (2001, false), (9000, true), (9001, true) }, numbers);
        Assert.Equal("numbers-exhausted", none.Code);
        Assert.Equal(409, none.Status);
        Assert.Contains("2000〜2001", none.Message);
        Assert.Equal(2600, other.Number);
        Assert.DoesNotContain("overflow-warning", before);
        Assert.Contains("overflow-warning", after);
        Assert.Contains("「転入」の番号（2000〜2001）を使い切りました。予備の番号（9000〜9001）で発券しています。", after);
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Tickets_issued_at_once_over_the_api_get_unique_consecutive_numbers()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:ticket:PermitLimit"] = "1000" });
        var q = await app.SetupAsync(service: s => s.RemoteTickets = true);
        var client = app.CreatePlainClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => PostTicketAsync(client, q.Office, q.Service, null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var numbers = new List<int>();
        foreach (var r in responses) numbers.Add((int)(await JsonAsync(r))["number"]!);
        Assert.Equal(Enumerable.Range(2000, 30), numbers.Order());
    }
}
