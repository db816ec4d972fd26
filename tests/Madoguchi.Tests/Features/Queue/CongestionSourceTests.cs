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
        // 4 waiting × 10 minutes (no service measured yet) ÷ 2 staffed counters = 20 minutes, ±25 %.
        Assert.Equal(new WaitRange(15, 25), tennyu.EstimatedWaitMinutes);
        Assert.Equal(new WaitRange(0, 0), CongestionSource.Estimate(0, 10, 1));
        Assert.Equal(new[] { q.Office.Id }, (await OfficeIdsAsync(app)).Where(id => id == q.Office.Id));
    }

    [Fact]
    public async Task The_estimate_uses_the_service_times_measured_today()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 1);
        for (var i = 0; i < 3; i++) await app.IssueAsync(q);
        await app.AssignAsync(q.Counters[0], q.Service);
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(4));
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));

        var service = (await app.SnapshotAsync(q)).Sections[0].Services[0];

        // 2 waiting × 4 minutes ÷ 1 counter = 8, ±25 %.
        Assert.Equal(2, service.Waiting);
        Assert.Equal(new WaitRange(6, 10), service.EstimatedWaitMinutes);
    }

    private static async Task<IReadOnlyList<Guid>> OfficeIdsAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ICongestionSource>().OfficeIdsAsync(Ct);
    }
}
