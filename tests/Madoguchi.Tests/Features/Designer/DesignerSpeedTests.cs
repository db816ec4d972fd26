using System.Data.Common;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Designer;

/// <summary>The designer stays fast on a long form: no query per field, and lean markup.</summary>
public sealed class DesignerSpeedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A form of <paramref name="fields"/> text fields over pages of 30.</summary>
    public static string LongForm(int fields)
    {
        var pages = new JsonArray();
        for (var p = 0; p * 30 < fields; p++)
        {
            var items = new JsonArray();
            for (var i = p * 30; i < Math.Min(fields, (p + 1) * 30); i++)
            {
                items.Add(new JsonObject { ["type"] = "text", ["key"] = $"field{i}", ["required"] = i % 2 == 0, ["label"] = new JsonObject { ["ja"] = $"項目{i}" } });
            }
            pages.Add(new JsonObject { ["key"] = $"page-{p}", ["title"] = new JsonObject { ["ja"] = $"ページ{p}" }, ["items"] = items });
        }
        return new JsonObject { ["slug"] = DesignerKit.Slug, ["title"] = new JsonObject { ["ja"] = "長いフォーム" }, ["pages"] = pages }.ToJsonString();
    }

    [Fact]
    public async Task The_designer_of_a_150_field_form_runs_the_same_queries_as_for_3_fields()
    {
        var counter = new CommandCounter();
        await using var app = await MadoguchiFactory.CreateAsync(services: s => s.ConfigureDbContext<MadoguchiDbContext>(o => o.AddInterceptors(counter)));
        var (ours, _) = await DesignerKit.SetUpAsync(app, LongForm(3));
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        await staff.GetStringAsync("/staff/designer/designer-test", Ct);

        counter.Take();
        var small = await staff.GetStringAsync("/staff/designer/designer-test", Ct);
        var forSmall = counter.Take();
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<FormService>().ImportAsync(LongForm(150), DesignerKit.Code, "test", Ct);
        }
        counter.Take();
        var watch = Stopwatch.StartNew();
        var large = await staff.GetStringAsync("/staff/designer/designer-test", Ct);
        watch.Stop();
        var forLarge = counter.Take();

        Assert.Contains("項目149", large);
        Assert.True(forSmall > 0, "the counter saw no query");
        Assert.Equal(forSmall, forLarge);
        // One form per page of items (one antiforgery token each), not one per button: about 1 KB a field.
        Assert.True(large.Length < 150 * 1400 + small.Length, $"designer page of 150 fields is {large.Length} characters");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"designer page of 150 fields took {watch.Elapsed}");
    }

    /// <summary>
    /// Counts the EF Core commands of this test's app. An interceptor added to the app's own context options
    /// sees every command; a diagnostic listener missed some, because a pooled context rechecks for new
    /// listeners only after EF Core's logging cache time, which made the counts differ on a busy machine.
    /// </summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;

        public int Take() => Interlocked.Exchange(ref _count, 0);

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }
}
