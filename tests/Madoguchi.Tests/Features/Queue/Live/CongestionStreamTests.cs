using System.Net;
using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Queue.Live;

/// <summary>The congestion API and its SSE stream: built once per change, pushed to viewers, honest when stale.</summary>
public sealed class CongestionStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_viewer_gets_the_current_snapshot_at_once_then_one_event_per_change()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _ = app;
        var client = app.CreatePlainClient();
        await using var viewer = await LiveKit.SubscribeAsync(client);

        var first = await viewer.NextAsync();
        source.Set([2001, 2002, 2003, 2004]);
        await LiveKit.ChangedAsync(app);
        var second = await viewer.NextAsync();
        // A notification that changes nothing (e.g. a recall of the same number) wakes no one.
        await LiveKit.ChangedAsync(app);
        source.Set([2002, 2003, 2004], serving: 2001);
        await LiveKit.ChangedAsync(app);
        var third = await viewer.NextAsync();

        Assert.Equal("snapshot", first.Event);
        Assert.Equal([3, 4, 3], new[] { first.TennyuWaiting, second.TennyuWaiting, third.TennyuWaiting });
        Assert.Equal(2001, third.Json.GetProperty("sections")[0].GetProperty("services")[0].GetProperty("nowServing").GetInt32());
        Assert.Equal(long.Parse(first.Id!) + 2, long.Parse(third.Id!));
        Assert.False(await viewer.AnyEventWithinAsync(TimeSpan.FromMilliseconds(300)));
        // The API answers from the same memory, with the same JSON.
        Assert.Equal(third.Data, await client.GetStringAsync(LiveKit.Api, Ct));
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments()
    {
        var (app, _) = await LiveKit.AppAsync(new() { ["Madoguchi:Live:KeepAliveSeconds"] = "0.2" });
        await using var _app = app;
        await using var viewer = await LiveKit.SubscribeAsync(app.CreatePlainClient());

        await viewer.NextAsync();
        var more = await viewer.AnyEventWithinAsync(TimeSpan.FromSeconds(1));

        Assert.False(more);
        Assert.True(viewer.Comments >= 2, $"comments: {viewer.Comments}");
    }

    [Fact]
    public async Task A_page_of_another_site_may_not_open_the_stream_but_clients_without_origin_and_the_site_itself_may()
    {
        var (app, _) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();
        var foreign = new HttpRequestMessage(HttpMethod.Get, LiveKit.Stream);
        foreign.Headers.Add("Origin", "https://evil.example");
        var lookalike = new HttpRequestMessage(HttpMethod.Get, LiveKit.Stream);
        lookalike.Headers.Add("Origin", "https://localhost.evil.example");

        var refused = await client.SendAsync(foreign, HttpCompletionOption.ResponseHeadersRead, Ct);
        var refusedToo = await client.SendAsync(lookalike, HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var noOrigin = await LiveKit.SubscribeAsync(client);
        await using var sameOrigin = await LiveKit.SubscribeAsync(client, "https://localhost");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedToo.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, (await noOrigin.NextAsync()).TennyuWaiting);
        Assert.Equal(3, (await sameOrigin.NextAsync()).TennyuWaiting);
    }

    [Fact]
    public async Task A_burst_of_100_changes_leads_to_a_few_rebuilds_and_ends_on_the_last_state()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();
        await client.GetStringAsync(LiveKit.Api, Ct);
        source.Delay = TimeSpan.FromMilliseconds(50);
        var before = source.Loads;

        var changes = new List<Task>();
        for (var i = 1; i <= 100; i++)
        {
            source.Set([.. Enumerable.Range(3000, i)]);
            changes.Add(LiveKit.ChangedAsync(app));
        }
        await Task.WhenAll(changes);

        var rebuilds = source.Loads - before;
        Assert.InRange(rebuilds, 1, 5);
        var snapshot = JsonDocument.Parse(await client.GetStringAsync(LiveKit.Api, Ct)).RootElement;
        Assert.Equal(100, snapshot.GetProperty("sections")[0].GetProperty("services")[0].GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Many_viewers_are_served_from_memory_without_a_load_each()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();
        await client.GetStringAsync(LiveKit.Api, Ct);
        var before = source.Loads;

        var viewers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => LiveKit.SubscribeAsync(client)));
        await Task.WhenAll(viewers.Select(v => v.NextAsync()));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetStringAsync(LiveKit.Api, Ct)));
        source.Set([2001]);
        await LiveKit.ChangedAsync(app);
        var after = await Task.WhenAll(viewers.Select(v => v.NextAsync()));

        Assert.All(after, e => Assert.Equal(1, e.TennyuWaiting));
        Assert.Equal(1, source.Loads - before);
        foreach (var v in viewers) await v.DisposeAsync();
    }

    [Fact]
    public async Task When_the_database_fails_the_snapshot_keeps_its_values_marked_stale_and_recovers()
    {
        var (app, source) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();
        source.Set([2001, 2002, 2003, 2004, 2005, 2006, 2007], updatedAt: new DateTimeOffset(2025, 4, 1, 0, 40, 0, TimeSpan.Zero));
        await LiveKit.ChangedAsync(app);
        await using var viewer = await LiveKit.SubscribeAsync(client);
        await viewer.NextAsync();

        source.Failing = true;
        await LiveKit.ChangedAsync(app);
        var staleEvent = await viewer.NextAsync();
        var api = JsonDocument.Parse(await client.GetStringAsync(LiveKit.Api, Ct)).RootElement;
        var page = await client.GetStringAsync(LiveKit.Page, Ct);

        Assert.True(staleEvent.Json.GetProperty("stale").GetBoolean());
        Assert.True(api.GetProperty("stale").GetBoolean());
        Assert.Equal(7, api.GetProperty("sections")[0].GetProperty("services")[0].GetProperty("waiting").GetInt32());
        Assert.Equal(new DateTimeOffset(2025, 4, 1, 0, 40, 0, TimeSpan.Zero), api.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Contains("最新の情報を取得できていません", page);
        Assert.DoesNotMatch("data-live=\"stale\" hidden", page);
        Assert.Contains(">7</span>人", page);

        source.Failing = false;
        source.Set([2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008]);
        await LiveKit.ChangedAsync(app);
        var recovered = await viewer.NextAsync();
        var fresh = await client.GetStringAsync(LiveKit.Page, Ct);

        Assert.False(recovered.Json.GetProperty("stale").GetBoolean());
        Assert.Equal(8, recovered.TennyuWaiting);
        Assert.Contains("data-live=\"stale\" hidden", fresh);
    }

    [Fact]
    public async Task A_missed_notification_is_caught_by_the_periodic_refresh()
    {
        var (app, source) = await LiveKit.AppAsync(new() { ["Madoguchi:Live:RefreshSeconds"] = "0.3" });
        await using var _app = app;
        await using var viewer = await LiveKit.SubscribeAsync(app.CreatePlainClient());
        await viewer.NextAsync();

        // Changed in the database without anyone notifying (another instance's NOTIFY lost).
        source.Set([2001, 2002, 2003, 2004, 2005]);
        var caught = await viewer.NextAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(5, caught.TennyuWaiting);
    }

    [Fact]
    public async Task Before_the_first_load_the_api_says_503_not_zero_and_serves_once_the_database_answers()
    {
        var source = new FakeCongestionSource { Failing = true };
        var (app, _) = await LiveKit.AppAsync(new() { ["Madoguchi:Live:RetryAfterFailureSeconds"] = "0" }, source);
        await using var _app = app;
        var client = app.CreatePlainClient();

        var api = await client.GetAsync(LiveKit.Api, Ct);
        var stream = await client.GetAsync(LiveKit.Stream, HttpCompletionOption.ResponseHeadersRead, Ct);
        var page = await client.GetAsync(LiveKit.Page, Ct);
        var pageText = await page.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("0人という意味ではありません", (await api.Content.ReadAsStringAsync(Ct)));
        Assert.NotNull(api.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stream.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("混雑状況のデータを取得できていません", pageText);
        Assert.DoesNotContain("data-service", pageText);

        source.Failing = false;
        var later = await client.GetAsync(LiveKit.Api, Ct);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task An_unknown_office_is_404_and_the_api_supports_etags()
    {
        var (app, _) = await LiveKit.AppAsync();
        await using var _app = app;
        var client = app.CreatePlainClient();

        var unknown = await client.GetAsync($"/api/v1/offices/{Guid.NewGuid()}/congestion", Ct);
        var ok = await client.GetAsync(LiveKit.Api, Ct);
        var again = new HttpRequestMessage(HttpMethod.Get, LiveKit.Api);
        again.Headers.TryAddWithoutValidation("If-None-Match", ok.Headers.ETag!.Tag);
        var notModified = await client.SendAsync(again, Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("江東区役所 本庁舎", await ok.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task On_postgres_a_change_notified_on_one_instance_reaches_a_viewer_of_another()
    {
        var source = new FakeCongestionSource();
        var (first, _) = await LiveKit.AppAsync(source: source);
        await using var _first = first;
        if (!first.Database.IsPostgres) return;
        await using var second = first.AnotherInstance(services: LiveKit.Register(source));
        var listener = second.Services.GetRequiredService<PostgresListener>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!listener.Listening && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50, Ct);
        Assert.True(listener.Listening, "the second instance never started listening");
        await using var viewer = await LiveKit.SubscribeAsync(second.CreatePlainClient());
        var initial = await viewer.NextAsync();
        while (initial.Json.GetProperty("stale").GetBoolean()) initial = await viewer.NextAsync();

        source.Set([2001, 2002, 2003, 2004, 2005, 2006]);
        await LiveKit.ChangedAsync(first);
        var received = await viewer.NextAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(3, initial.TennyuWaiting);
        Assert.Equal(6, received.TennyuWaiting);
        Assert.False(received.Json.GetProperty("stale").GetBoolean());
    }
}
