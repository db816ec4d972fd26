using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue;

public sealed class CongestionSourceTests
{
    [Fact]
    public async Task The_snapshot_counts_waiting_per_section_and_service_in_calling_order_with_now_serving_and_recent_calls()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 3);
        var second = new Madoguchi.Web.Features.Queue.QueueSection { OfficeId = q.Office.Id, Name = "戸籍係", NameEn = "Family register", Colour = "green", SortOrder = 1 };
        var koseki = new QueueService { OfficeId = q.Office.Id, SectionId = second.Id, Name = "戸籍の届出", RangeFrom = 1000, RangeTo = 1199 };
        await app.SaveAsync(second, koseki);
        for (var i = 0; i < 4; i++)
        {
            await app.IssueAsync(q);
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await app.IssueAsync(q, priority: true); // 2004, called before the older ones
        await app.IssueAsync(q, q.Other);
        await app.IssueAsync(q, koseki);
        await app.AssignAsync(q.Counters[2], q.Service);
        await app.AssignAsync(q.Counters[1], q.Service, q.Other);
        var called = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[2].Id, "test", null, Ct));

        var snapshot = await app.SnapshotAsync(q);

        Assert.Equal(2004, called!.Ticket.Number);
        Assert.Equal(q.Office.Name, snapshot.Office.Name);
        Assert.False(snapshot.Stale);
        Assert.Equal(new[] { "住民記録係", "戸籍係" }, snapshot.Sections.Select(s => s.Name));
        Assert.Equal(5, snapshot.Sections[0].Waiting);
        Assert.Equal(1, snapshot.Sections[1].Waiting);
        var tennyu = snapshot.Sections[0].Services[0];
        Assert.Equal(4, tennyu.Waiting);
        Assert.Equal(new[] { 2000, 2001, 2002, 2003 }, tennyu.Queue);
        Assert.Equal(2004, tennyu.NowServing);
        Assert.Null(snapshot.Sections[0].Services[1].NowServing);
        var call = Assert.Single(snapshot.RecentCalls);
        Assert.Equal((2004, "3", q.Service.Id), (call.Number, call.Counter, call.ServiceId));
        // No service measured yet: the flagged default of 10 minutes. Two counters staffed, one serving 2004 and
        // one free: a new ticket is called at the 4th end of service, (4 − ¼) × 10 ÷ 2 = 18.75 minutes, as a range.
        Assert.Equal("default", tennyu.EstimateBasis);
        Assert.Equal(new WaitRange(10, 28), tennyu.EstimatedWaitMinutes);
        Assert.Equal(new WaitRange(0, 0), Madoguchi.Web.Features.Queue.Waits.WaitEstimator.Estimate(0, null, 1, 0).Range);
        Assert.Equal(new[] { q.Office.Id }, (await OfficeIdsAsync(app)).Where(id => id == q.Office.Id));
    }

    [Fact]
    public async Task The_estimate_uses_the_service_times_measured_once_there_are_five()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 1);
        for (var i = 0; i < 8; i++) await app.IssueAsync(q);
        await app.AssignAsync(q.Counters[0], q.Service);
        async Task ServeAsync()
        {
            await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
            app.Clock.Advance(TimeSpan.FromMinutes(4));
            await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        }
        for (var i = 0; i < 4; i++) await ServeAsync();
        Assert.Equal("default", (await app.SnapshotAsync(q)).Sections[0].Services[0].EstimateBasis);
        await ServeAsync();

        var service = (await app.SnapshotAsync(q)).Sections[0].Services[0];

        // 3 waiting, the counter free: the 3rd end of service, 3 × 4 minutes = 12, as a range.
        Assert.Equal(3, service.Waiting);
        Assert.Equal("measured", service.EstimateBasis);
        Assert.Equal(new WaitRange(9, 15), service.EstimatedWaitMinutes);
    }

    private static async Task<IReadOnlyList<Guid>> OfficeIdsAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ICongestionSource>().OfficeIdsAsync(Ct);
    }
}
