using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Waits;
using static Madoguchi.Tests.Features.Queue.QueueKit;

namespace Madoguchi.Tests.Features.Queue.Waits;

public sealed class WaitEstimatorTests
{
    private static double Mid(WaitRange r) => (r.Low + r.High) / 2.0;

    [Fact]
    public void Two_busy_counters_halve_the_wait_of_one_and_long_or_varied_services_raise_and_widen_the_range()
    {
        var times = new ServiceTimes(30, 8, 3);
        var one = WaitEstimator.Estimate(10, times, counters: 1, serving: 1).Range;
        var two = WaitEstimator.Estimate(10, times, counters: 2, serving: 2).Range;
        // (10 + ½) × 8 = 84 minutes with one counter, 42 with two (ranges rounded outwards to whole minutes).
        Assert.InRange(Mid(one), 83, 85);
        Assert.InRange(Mid(two), 41, 43);
        Assert.True(one.Low <= 84 && 84 <= one.High);

        var longer = WaitEstimator.Estimate(10, new ServiceTimes(30, 16, 3), 1, 1).Range;
        Assert.True(longer.Low > one.High, $"16-minute services ({longer}) should wait longer than 8-minute ones ({one})");
        var varied = WaitEstimator.Estimate(10, new ServiceTimes(30, 8, 8), 1, 1).Range;
        Assert.True(varied.High - varied.Low > one.High - one.Low, $"varied services ({varied}) should give a wider range than steady ones ({one})");

        // An idle counter takes the next ticket at once; nobody ahead and a free counter is no wait.
        Assert.Equal(new WaitRange(0, 0), WaitEstimator.Estimate(0, times, counters: 2, serving: 1).Range);
        Assert.True(WaitEstimator.Estimate(3, times, counters: 2, serving: 1).Range.High < WaitEstimator.Estimate(3, times, counters: 2, serving: 2).Range.High);
    }

    [Fact]
    public void Without_enough_measured_services_the_default_is_used_and_flagged()
    {
        var none = WaitEstimator.Estimate(4, null, 1, 1);
        var few = WaitEstimator.Estimate(4, new ServiceTimes(WaitEstimator.MinSamples - 1, 30, 1), 1, 1);
        var enough = WaitEstimator.Estimate(4, new ServiceTimes(WaitEstimator.MinSamples, 30, 1), 1, 1);
        Assert.True(none.IsDefault);
        Assert.True(few.IsDefault);
        // 4.5 × the documented 10 minutes: the default is a range around 45, not a precise figure.
        Assert.True(none.Range.Low < 45 && none.Range.High > 45 && none.Range.High - none.Range.Low >= 10, none.Range.ToString());
        Assert.Equal(none.Range, few.Range);
        Assert.False(enough.IsDefault);
        Assert.True(enough.Range.Low > 100);
    }

    [Fact]
    public async Task The_office_snapshot_uses_measured_service_times_and_the_counters_staffed_now()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 2);
        for (var i = 0; i < 12; i++) await app.IssueAsync(q);
        var before = (await app.SnapshotAsync(q)).Sections[0].Services[0];
        Assert.Equal("default", before.EstimateBasis);

        // Counter 1 serves six residents, 12 minutes each.
        await app.AssignAsync(q.Counters[0], q.Service);
        for (var i = 0; i < 6; i++)
        {
            await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
            app.Clock.Advance(TimeSpan.FromMinutes(12));
            await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        }
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        var oneCounter = (await app.SnapshotAsync(q)).Sections[0].Services[0];
        Assert.Equal("measured", oneCounter.EstimateBasis);
        Assert.Equal(5, oneCounter.Waiting);
        // A sixth ticket would be called at the 6th end of service: (6 − ½) × 12 = 66 minutes.
        Assert.True(oneCounter.EstimatedWaitMinutes.Low <= 66 && 66 <= oneCounter.EstimatedWaitMinutes.High, oneCounter.EstimatedWaitMinutes.ToString());

        // A second counter opens for the service and calls a ticket: both busy, the wait halves.
        await app.AssignAsync(q.Counters[1], q.Service);
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[1].Id, "test", null, Ct));
        var twoCounters = (await app.SnapshotAsync(q)).Sections[0].Services[0];
        Assert.Equal(4, twoCounters.Waiting);
        // (5 − ½) × 12 ÷ 2 = 27 minutes.
        Assert.True(twoCounters.EstimatedWaitMinutes.Low <= 27 && 27 <= twoCounters.EstimatedWaitMinutes.High, twoCounters.EstimatedWaitMinutes.ToString());
        Assert.True(twoCounters.EstimatedWaitMinutes.High < oneCounter.EstimatedWaitMinutes.Low);

        // The public JSON keeps its shape and says where the figure comes from.
        using var client = app.CreatePlainClient();
        await app.SnapshotAsync(q);
        var json = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/offices/{q.Office.Id}/congestion", Ct))!;
        var service = json["sections"]![0]!["services"]![0]!;
        Assert.NotNull(service["estimatedWaitMinutes"]!["low"]);
        Assert.NotNull(service["estimatedWaitMinutes"]!["high"]);
        Assert.Equal("measured", service["estimateBasis"]!.GetValue<string>());
        Assert.Equal("default", json["sections"]![0]!["services"]![1]!["estimateBasis"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_estimate_shown_at_issue_is_logged_and_the_real_wait_recorded_at_the_first_call()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var q = await app.SetupAsync(counters: 1);
        await app.AssignAsync(q.Counters[0], q.Service);
        await app.IssueAsync(q);
        var second = await app.IssueAsync(q);
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        app.Clock.Advance(TimeSpan.FromMinutes(7) + TimeSpan.FromSeconds(30));
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        // A recall later does not change the recorded wait.
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await app.OpsAsync(ops => ops.RecallAsync(q.Counters[0].Id, "test", Ct));

        await using var scope = app.Scope();
        var logged = scope.Db().WaitEstimates.Single(w => w.TicketId == second.Id);
        Assert.Equal(1, logged.Ahead);
        Assert.True(logged.IsDefault);
        // One ahead and an idle counter: the first is called at once, then one full service of the default 10 minutes.
        Assert.True(logged.Low < 10 && 10 < logged.High, $"{logged.Low}–{logged.High}");
        Assert.Equal(450, logged.WaitSeconds);
    }
}
