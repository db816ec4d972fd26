using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>The business calendar that new cases' due dates come from is cached per process: changes still count.</summary>
public sealed class CaseCalendarTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<DateOnly> SubmitAsync(MadoguchiFactory app)
    {
        using var client = app.CreatePlainClient();
        using var response = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["receiptNumber"]!.GetValue<string>();
        await using var scope = app.Scope();
        var due = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Where(c => c.ReceiptNumber == receipt).Select(c => c.DueOn).SingleAsync(Ct);
        Assert.NotNull(due);
        return due.Value;
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_closure_added_or_removed_counts_for_the_very_next_case()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        // Friday 2026-12-25; 5 business days: 12/28, 1/4, 1/5, 1/6, 1/7 (12/29–1/3 are 年末年始).
        app.Clock.Set(new DateTimeOffset(2026, 12, 25, 10, 0, 0, TimeSpan.FromHours(9)));
        await SubmissionKit.PublishAsync(app);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Procedures.ExecuteUpdateAsync(u => u.SetProperty(p => p.StandardProcessingDays, 5), Ct);
        }
        Assert.Equal(new DateOnly(2027, 1, 7), await SubmitAsync(app));

        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<BusinessCalendarService>().AddClosureAsync(new DateOnly(2027, 1, 5), "システム更新", Ct);
        }
        Assert.Equal(new DateOnly(2027, 1, 8), await SubmitAsync(app));

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<BusinessCalendarService>().RemoveClosureAsync(new DateOnly(2027, 1, 5), Ct));
        }
        Assert.Equal(new DateOnly(2027, 1, 7), await SubmitAsync(app));
    }

    [Fact]
    public async Task A_closure_written_by_another_process_counts_once_the_cache_is_a_minute_old()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await using var ctx = db.CreateContext();
        var clock = new SteppedClock();
        var cache = new BusinessCalendarCache(clock);
        var day = new DateOnly(2027, 1, 5);
        Assert.True((await cache.GetAsync(ctx, Ct)).IsOpen(day));

        // Another instance (or the CLI) adds a closure: nothing tells this process.
        await using (var other = db.CreateContext())
        {
            other.Closures.Add(new Closure { Date = day, Reason = "システム更新" });
            await other.SaveChangesAsync(Ct);
        }
        clock.Advance(BusinessCalendarCache.MaxAge - TimeSpan.FromSeconds(1));
        Assert.True((await cache.GetAsync(ctx, Ct)).IsOpen(day));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await cache.GetAsync(ctx, Ct)).IsOpen(day));
    }

    /// <summary>A clock whose elapsed time moves only when the test says so.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
