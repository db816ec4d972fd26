using System.Diagnostics;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
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
        await using var app = await MadoguchiFactory.CreateAsync();
        var (ours, _) = await DesignerKit.SetUpAsync(app, LongForm(3));
        using var staff = await app.SignedInClientAsync(Roles.Staff, ours.Id);
        await staff.GetStringAsync("/staff/designer/designer-test", Ct);

        using var counter = new CommandCounter(app.Database.Folder);
        // Contexts come from a pool, and a pooled context's logger rechecks for a new diagnostic listener
        // only after EF Core's logging cache time (one second) has passed since it last found none.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var small = await staff.GetStringAsync("/staff/designer/designer-test", Ct);
        var forSmall = counter.Take();
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<FormService>().ImportAsync(LongForm(150), DesignerKit.Code, "test", Ct);
        }
        // The same wait before the large page: a context the import returned to the pool may still
        // hold "no listener" from before the counter subscribed, and its commands would go uncounted.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
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

    /// <summary>Counts EF Core commands run against this test's own database (tests run in parallel in one process).</summary>
    private sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _marker;
        private readonly List<IDisposable> _subscriptions = [];
        private int _count;

        public CommandCounter(string marker)
        {
            _marker = marker;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public int Take() => Interlocked.Exchange(ref _count, 0);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions) _subscriptions.Add(value.Subscribe(this));
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData e
                && (e.Command.Connection?.ConnectionString ?? "").Contains(_marker, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            lock (_subscriptions) foreach (var s in _subscriptions) s.Dispose();
        }
    }
}
