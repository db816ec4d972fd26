using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue;
using Microsoft.EntityFrameworkCore;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

public sealed class CounterOperationsTests
{
    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Many_counters_calling_at_once_never_get_the_same_ticket()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 8);
        for (var i = 0; i < 40; i++) await app.IssueAsync(q);
        foreach (var c in q.Counters) await app.AssignAsync(c, q.Service);

        using var start = new Barrier(q.Counters.Count);
        var called = new System.Collections.Concurrent.ConcurrentBag<(string Counter, int Number)>();
        await Task.WhenAll(q.Counters.Select(c => Task.Run(async () =>
        {
            start.SignalAndWait(Ct);
            while (await app.OpsAsync(ops => ops.CallNextAsync(c.Id, "test", null, Ct)) is { } r)
            {
                called.Add((c.Number, r.Ticket.Number));
                await app.OpsAsync(ops => ops.CompleteAsync(c.Id, "test", Ct));
            }
        }, Ct)));

        var numbers = called.Select(c => c.Number).ToList();
        Assert.Equal(40, numbers.Count);
        Assert.Equal(Enumerable.Range(2000, 40), numbers.Order());
        Assert.True(called.Select(c => c.Counter).Distinct().Count() > 1, "only one counter ever got a ticket: the test did not race");
        await using var scope = app.Scope();
        var events = await scope.Db().TicketEvents.Where(e => e.Kind == TicketEventKind.Called).GroupBy(e => e.TicketId).Select(g => g.Count()).ToListAsync(Ct);
        Assert.All(events, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_transfer_keeps_the_arrival_time_so_the_ticket_keeps_its_place()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 2, other: s => s.Steps = "受付|審査");
        var first = await app.IssueAsync(q);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var later = await app.IssueAsync(q, q.Other);
        await app.AssignAsync(q.Counters[0], q.Service);
        await app.AssignAsync(q.Counters[1], q.Other);

        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(7));
        var moved = await app.OpsAsync(ops => ops.TransferAsync(q.Counters[0].Id, "test", q.Other.Id, 1, Ct));
        var next = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[1].Id, "test", null, Ct));

        Assert.Equal(first.ArrivedAt, moved.Ticket.ArrivedAt);
        Assert.Equal(q.Other.Id, moved.Ticket.ServiceId);
        Assert.Equal("審査", moved.StepName);
        // Arrived before the other service's own ticket, so it is called first there.
        Assert.Equal(first.Number, next!.Ticket.Number);
        Assert.NotEqual(later.Number, next.Ticket.Number);
    }

    [Fact]
    public async Task Completing_a_step_queues_the_next_step_with_the_same_arrival_and_the_last_step_finishes()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 2, service: s => s.Steps = "受付|交付");
        var ticket = await app.IssueAsync(q);
        // One counter takes 受付, the other only 交付 (交付待ち is a queue of its own).
        await app.OpsAsync(ops => ops.AssignAsync(q.Counters[0].Id, "test", [q.Service.Id], ["受付"], Ct));
        await app.OpsAsync(ops => ops.AssignAsync(q.Counters[1].Id, "test", [q.Service.Id], ["交付"], Ct));

        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(12));
        var step = await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        var waitingFor = (await app.SnapshotAsync(q)).Sections[0].Services[0];
        // The 受付 counter has nobody left; the 交付 counter gets the ticket.
        Assert.Null(await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct)));
        var delivery = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[1].Id, "test", null, Ct));
        var done = await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[1].Id, "test", Ct));

        Assert.Equal(TicketStatus.Waiting, step.Ticket.Status);
        Assert.Equal("交付", step.StepName);
        Assert.Equal(ticket.ArrivedAt, step.Ticket.ArrivedAt);
        Assert.Equal(new[] { 0, 1 }, waitingFor.Steps.Select(s => s.Waiting));
        Assert.Equal("交付", waitingFor.Steps[1].Name);
        Assert.Equal(ticket.Number, delivery!.Ticket.Number);
        Assert.Equal(TicketStatus.Done, done.Ticket.Status);
    }

    [Fact]
    public async Task Priority_tickets_are_called_before_older_ones()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.IssueAsync(q);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var priority = await app.IssueAsync(q, priority: true);
        await app.AssignAsync(q.Counters[0], q.Service);

        var called = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));

        Assert.Equal(priority.Number, called!.Ticket.Number);
    }

    [Fact]
    public async Task A_no_show_returns_to_the_queue_after_the_grace_period_and_a_held_ticket_is_called_by_name()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Queue:NoShowGraceMinutes"] = "10" });
        var q = await app.SetupAsync();
        var a = await app.IssueAsync(q);
        var b = await app.IssueAsync(q);
        await app.AssignAsync(q.Counters[0], q.Service);

        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        var noShow = await app.OpsAsync(ops => ops.NoShowAsync(q.Counters[0].Id, "test", Ct));
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        var held = await app.OpsAsync(ops => ops.HoldAsync(q.Counters[0].Id, "test", Ct));
        var nobody = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var returned = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        var fromHold = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", b.Id, Ct));

        Assert.Equal(a.Number, noShow.Ticket.Number);
        Assert.Equal(TicketStatus.NoShow, noShow.Ticket.Status);
        Assert.Equal(TicketStatus.Held, held.Ticket.Status);
        Assert.Null(nobody);
        Assert.Equal(a.Number, returned!.Ticket.Number);
        Assert.Equal(b.Number, fromHold!.Ticket.Number);
    }

    [Fact]
    public async Task A_counter_with_an_open_ticket_or_without_todays_services_cannot_call()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync();
        await app.IssueAsync(q);
        await app.IssueAsync(q);

        var noShift = await Assert.ThrowsAsync<QueueException>(() => app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct)));
        await app.AssignAsync(q.Counters[0], q.Service);
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        var open = await Assert.ThrowsAsync<QueueException>(() => app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct)));
        // The next day the shift is gone: staff choose their services again.
        app.Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await Assert.ThrowsAsync<QueueException>(() => app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct)));

        Assert.Equal("no-shift", noShift.Code);
        Assert.Equal("ticket-open", open.Code);
        Assert.Contains("2000番", open.Message);
        Assert.Equal("no-shift", nextDay.Code);
    }
}
