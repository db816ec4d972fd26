using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Madoguchi.Web.Features.Queue.Live;

/// <summary>Settings of the live layer (Madoguchi:Live:…).</summary>
public sealed class LiveOptions
{
    /// <summary>How often every office is rebuilt even without a notification (catches missed ones).</summary>
    public TimeSpan Refresh { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>How often an idle SSE stream gets a comment, so proxies and browsers keep it open.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>After a failed load, viewers' requests do not trigger another one for this long.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long a viewer's request waits for an office's first snapshot.</summary>
    public TimeSpan FirstLoadWait { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>Origins other than the app's own whose pages may open the SSE stream (e.g. the city's website).</summary>
    public HashSet<string> AllowedOrigins { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// A snapshot as published: serialised once (JSON and the SSE frame), shared by every viewer.
/// <see cref="Version"/> counts publications of this office on this instance only.
/// </summary>
public sealed class PublishedSnapshot
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // Japanese names stay readable in the JSON (open data), HTML-sensitive characters stay escaped.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        // updatedAt and calledAt in Japan time, like every time the API gives.
        Converters = { new Shared.Japanese.JapanTimeJsonConverter() },
    };

    public CongestionSnapshot Snapshot { get; }
    public long Version { get; }
    public byte[] Json { get; }
    public byte[] Frame { get; }
    public string ETag { get; }

    public PublishedSnapshot(CongestionSnapshot snapshot, byte[] json, long version)
    {
        Snapshot = snapshot;
        Version = version;
        Json = json;
        // Compact JSON has no line breaks, so one data line carries the whole snapshot.
        var head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {version}\nevent: snapshot\ndata: "));
        Frame = [.. head, .. Json, (byte)'\n', (byte)'\n'];
        // From the content, not the version: two instances serving the same data give the same tag.
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Json).AsSpan(0, 12)) + "\"";
    }

    public static byte[] Serialize(CongestionSnapshot snapshot) => JsonSerializer.SerializeToUtf8Bytes(snapshot, JsonOptions);
}

/// <summary>What a viewer's request finds for an office.</summary>
public enum OfficeAvailability { Found, NoSuchOffice, NotYetLoaded }

/// <summary>
/// The live state of every office: the latest snapshot per office, rebuilt once per change (a
/// burst of changes while a rebuild runs leads to one more rebuild, not one each) and pushed to
/// every subscriber. Viewers read memory only; the database is asked once per rebuild.
/// </summary>
public sealed partial class CongestionHub(IServiceScopeFactory scopes, LiveOptions options, TimeProvider clock, ILogger<CongestionHub> log)
{
    private readonly ConcurrentDictionary<Guid, OfficeLive> _offices = new();
    private readonly SemaphoreSlim _listGate = new(1, 1);
    private volatile IReadOnlySet<Guid>? _officeIds;
    private long _listFailedAt = long.MinValue;
    private volatile bool _feedHealthy = true;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Identifies this app instance in NOTIFY payloads, so it ignores its own notifications.</summary>
    public Guid InstanceId { get; } = Guid.NewGuid();

    public LiveOptions Options => options;

    /// <summary>Viewers currently holding an SSE stream on this instance.</summary>
    public int Subscribers => _offices.Values.Sum(o => Volatile.Read(ref o.SubscriberCount));

    /// <summary>The latest snapshot of an office, or null before its first successful load.</summary>
    public PublishedSnapshot? Current(Guid officeId) => _offices.TryGetValue(officeId, out var o) ? o.Current : null;

    /// <summary>The offices of the last successful list, each with its snapshot if it has one; null if never listed.</summary>
    public IReadOnlyList<(Guid Id, PublishedSnapshot? Snapshot)>? All()
        => _officeIds is { } ids ? [.. ids.Select(id => (id, Current(id)))] : null;

    /// <summary>Like <see cref="All"/>, loading the list first if it never was (once, however many viewers ask).</summary>
    public async Task<IReadOnlyList<(Guid Id, PublishedSnapshot? Snapshot)>?> AllAsync(CancellationToken ct)
    {
        if (_officeIds is null && !RecentlyFailed(Interlocked.Read(ref _listFailedAt))) await WaitBounded(RefreshListAsync(ct), ct);
        return All();
    }

    /// <summary>
    /// For a viewer: the office's snapshot from memory. Only an office never loaded is loaded now
    /// (one load however many viewers ask), and not again soon after a failure.
    /// </summary>
    public async Task<(OfficeAvailability Availability, PublishedSnapshot? Snapshot)> FindAsync(Guid officeId, CancellationToken ct)
    {
        if (_offices.TryGetValue(officeId, out var known) && known.Current is { } current) return (OfficeAvailability.Found, current);
        if (_officeIds is null && !RecentlyFailed(Interlocked.Read(ref _listFailedAt)))
        {
            await WaitBounded(RefreshListAsync(ct), ct);
        }
        if (_officeIds is not { } ids) return (OfficeAvailability.NotYetLoaded, null);
        if (!ids.Contains(officeId) && known is null) return (OfficeAvailability.NoSuchOffice, null);
        var office = _offices.GetOrAdd(officeId, id => new OfficeLive(id));
        if (office.Current is null && !office.Gone && !RecentlyFailed(Interlocked.Read(ref office.FailedAt)))
        {
            await WaitBounded(RequestRebuild(office), ct);
        }
        if (office.Current is { } loaded) return (OfficeAvailability.Found, loaded);
        return (office.Gone ? OfficeAvailability.NoSuchOffice : OfficeAvailability.NotYetLoaded, null);
    }

    /// <summary>An office's queue changed: rebuild its snapshot. The task ends when a rebuild that started after this call has finished.</summary>
    public Task ChangedAsync(Guid officeId)
    {
        if (_stopping.IsCancellationRequested) return Task.CompletedTask;
        return RequestRebuild(_offices.GetOrAdd(officeId, id => new OfficeLive(id)));
    }

    /// <summary>Reloads the office list and rebuilds every office (periodic refresh, reconnection of the feed).</summary>
    public async Task RefreshAllAsync(CancellationToken ct)
    {
        await RefreshListAsync(ct);
        await Task.WhenAll(_offices.Values.Select(RequestRebuild));
    }

    /// <summary>
    /// Whether changes made on other instances reach this one (PostgreSQL LISTEN). While they
    /// do not, every snapshot says it is stale; when they do again, every office is rebuilt.
    /// </summary>
    public void SetFeedHealthy(bool healthy)
    {
        if (_feedHealthy == healthy) return;
        _feedHealthy = healthy;
        if (!healthy)
        {
            foreach (var o in _offices.Values) MarkStale(o);
        }
    }

    /// <summary>Wakes every stream so idle ones send a keep-alive comment.</summary>
    public void Heartbeat()
    {
        foreach (var o in _offices.Values) o.Pulse();
    }

    /// <summary>Ends every stream (application stopping).</summary>
    public void Stop()
    {
        _stopping.Cancel();
        Heartbeat();
    }

    internal CancellationToken Stopping => _stopping.Token;

    internal OfficeLive Office(Guid officeId) => _offices.GetOrAdd(officeId, id => new OfficeLive(id));

    private async Task RefreshListAsync(CancellationToken ct)
    {
        await _listGate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var source = scope.ServiceProvider.GetRequiredService<ICongestionSource>();
            var ids = (await source.OfficeIdsAsync(ct)).ToHashSet();
            _officeIds = ids;
            foreach (var id in ids) _offices.GetOrAdd(id, i => new OfficeLive(i));
            // An office that left the list keeps its state only while someone still watches it.
            foreach (var (id, o) in _offices)
            {
                if (!ids.Contains(id) && Volatile.Read(ref o.SubscriberCount) == 0) _offices.TryRemove(id, out _);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _listFailedAt, clock.GetTimestamp());
            LogListFailed(e);
            foreach (var o in _offices.Values) MarkStale(o);
        }
        finally
        {
            _listGate.Release();
        }
    }

    private Task RequestRebuild(OfficeLive office)
    {
        lock (office.Gate)
        {
            if (office.Running is null)
            {
                office.Running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var done = office.Running.Task;
                _ = Task.Run(() => RebuildLoopAsync(office));
                return done;
            }
            // A rebuild is under way and may have read the database before this change: one more follows it.
            office.Queued ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return office.Queued.Task;
        }
    }

    private async Task RebuildLoopAsync(OfficeLive office)
    {
        while (true)
        {
            TaskCompletionSource done;
            lock (office.Gate) done = office.Running!;
            await RebuildOnceAsync(office);
            done.TrySetResult();
            lock (office.Gate)
            {
                if (office.Queued is null)
                {
                    office.Running = null;
                    return;
                }
                office.Running = office.Queued;
                office.Queued = null;
            }
        }
    }

    private async Task RebuildOnceAsync(OfficeLive office)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await using var scope = scopes.CreateAsyncScope();
            var source = scope.ServiceProvider.GetRequiredService<ICongestionSource>();
            var snapshot = await source.LoadAsync(office.Id, timeout.Token);
            if (snapshot is null)
            {
                office.Gone = true;
                return;
            }
            office.Gone = false;
            Interlocked.Exchange(ref office.FailedAt, long.MinValue);
            Publish(office, snapshot with { Stale = snapshot.Stale || !_feedHealthy });
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            // Never zeros: the last snapshot stays, marked stale, with its updatedAt unchanged.
            Interlocked.Exchange(ref office.FailedAt, clock.GetTimestamp());
            LogRebuildFailed(office.Id, e);
            MarkStale(office);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void MarkStale(OfficeLive office)
    {
        lock (office.PublishGate)
        {
            if (office.Current is { Snapshot.Stale: false } c)
            {
                var stale = c.Snapshot with { Stale = true };
                PublishLocked(office, stale, PublishedSnapshot.Serialize(stale));
            }
        }
    }

    private void Publish(OfficeLive office, CongestionSnapshot snapshot)
    {
        lock (office.PublishGate)
        {
            var json = PublishedSnapshot.Serialize(snapshot);
            // A periodic refresh that finds nothing new wakes no one.
            if (office.Current is { } c && c.Json.AsSpan().SequenceEqual(json)) return;
            PublishLocked(office, snapshot, json);
        }
    }

    private static void PublishLocked(OfficeLive office, CongestionSnapshot snapshot, byte[] json)
    {
        office.Current = new PublishedSnapshot(snapshot, json, (office.Current?.Version ?? 0) + 1);
        office.Pulse();
    }

    private bool RecentlyFailed(long failedAt)
        => failedAt != long.MinValue && clock.GetElapsedTime(failedAt) < options.RetryAfterFailure;

    private async Task WaitBounded(Task task, CancellationToken ct)
    {
        try
        {
            await task.WaitAsync(options.FirstLoadWait, ct);
        }
        catch (TimeoutException)
        {
            // The viewer is told the data is not available yet; the load goes on for the next one.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Congestion snapshot of office {Office} could not be rebuilt; viewers see the last one marked stale.")]
    private partial void LogRebuildFailed(Guid office, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The list of offices could not be loaded; snapshots are marked stale.")]
    private partial void LogListFailed(Exception e);
}

/// <summary>One office's live state: the published snapshot, the wake-up signal of its streams, the rebuild coalescing.</summary>
internal sealed class OfficeLive(Guid id)
{
    public Guid Id { get; } = id;
    public readonly Lock Gate = new();
    public readonly Lock PublishGate = new();
    public TaskCompletionSource? Running;
    public TaskCompletionSource? Queued;
    public long FailedAt = long.MinValue;
    public int SubscriberCount;
    public volatile bool Gone;
    private volatile PublishedSnapshot? _current;
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PublishedSnapshot? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>Completes at the next publication or heartbeat; all streams of the office await the same task.</summary>
    public Task Changed => Volatile.Read(ref _pulse).Task;

    public void Pulse()
        => Interlocked.Exchange(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
