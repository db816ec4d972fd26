using System.Globalization;
using Madoguchi.Web.Data;
using Npgsql;

namespace Madoguchi.Web.Features.Queue.Live;

/// <summary>
/// Told by the queue core after each committed change: rebuilds the office's snapshot here and,
/// on PostgreSQL, NOTIFYs the other instances so that their viewers get the change too.
/// </summary>
public sealed partial class QueueNotifier(CongestionHub hub, Storage storage, ILogger<QueueNotifier> log) : IQueueNotifier
{
    public const string Channel = "madoguchi_queue";

    public async Task OfficeChangedAsync(Guid officeId, CancellationToken ct)
    {
        var local = hub.ChangedAsync(officeId);
        if (storage.Engine == StorageEngine.Postgres) await NotifyAsync(officeId);
        // The caller's next read of the congestion API on this instance shows its own change.
        await local.WaitAsync(ct);
    }

    /// <summary>"office/instance": the sending instance ignores its own notification (it rebuilt already).</summary>
    public static string Payload(Guid officeId, Guid instanceId)
        => string.Create(CultureInfo.InvariantCulture, $"{officeId:N}/{instanceId:N}");

    public static (Guid Office, Guid Instance)? ParsePayload(string payload)
    {
        var parts = payload.Split('/');
        return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var office) && Guid.TryParseExact(parts[1], "N", out var instance)
            ? (office, instance) : null;
    }

    private async Task NotifyAsync(Guid officeId)
    {
        // The change is committed whatever happens to the caller's request: notify regardless of its token.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await using var conn = new NpgsqlConnection(storage.ConnectionString);
            await conn.OpenAsync(timeout.Token);
            await using var cmd = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", conn);
            cmd.Parameters.AddWithValue("channel", Channel);
            cmd.Parameters.AddWithValue("payload", Payload(officeId, hub.InstanceId));
            await cmd.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            // Other instances pick the change up at their next periodic refresh.
            LogNotifyFailed(officeId, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "NOTIFY for office {Office} failed; other instances see the change at their next refresh.")]
    private partial void LogNotifyFailed(Guid office, Exception e);
}

/// <summary>
/// Rebuilds every office periodically (catches notifications missed while disconnected) and
/// wakes idle streams for their keep-alive comment.
/// </summary>
public sealed class LiveRefresher(CongestionHub hub, LiveOptions options, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Streams must end when the app stops, or shutdown waits for every viewer to leave.
        lifetime.ApplicationStopping.Register(hub.Stop);
        var heartbeat = HeartbeatAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await hub.RefreshAllAsync(stoppingToken);
                await Task.Delay(options.Refresh, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await heartbeat;
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.KeepAlive);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) hub.Heartbeat();
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>
/// PostgreSQL only: one dedicated connection LISTENs for the other instances' changes. While it is
/// down every snapshot says it is stale; it reconnects with growing pauses and then rebuilds all.
/// </summary>
public sealed partial class PostgresListener(CongestionHub hub, Storage storage, ILogger<PostgresListener> log) : BackgroundService
{
    private volatile bool _listening;

    /// <summary>True while the LISTEN connection is open (tests wait for it).</summary>
    public bool Listening => _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite runs one instance: there is nobody else to hear from.
        if (storage.Engine != StorageEngine.Postgres) return;
        var pause = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var b = new NpgsqlConnectionStringBuilder(storage.ConnectionString) { Pooling = false };
                await using var conn = new NpgsqlConnection(b.ConnectionString);
                await conn.OpenAsync(stoppingToken);
                conn.Notification += (_, e) =>
                {
                    if (ParseOther(e.Payload) is { } office) _ = hub.ChangedAsync(office);
                };
                await using (var cmd = new NpgsqlCommand("LISTEN " + QueueNotifier.Channel, conn))
                {
                    await cmd.ExecuteNonQueryAsync(stoppingToken);
                }
                _listening = true;
                hub.SetFeedHealthy(true);
                pause = TimeSpan.FromSeconds(1);
                LogListening();
                // Changes made while this connection was down were not heard: rebuild everything once.
                await hub.RefreshAllAsync(stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // A silent connection is checked every 10 s, so a dead one is noticed even without traffic.
                    if (!await conn.WaitAsync(TimeSpan.FromSeconds(10), stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", conn);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _listening = false;
                hub.SetFeedHealthy(false);
                LogListenFailed(pause.TotalSeconds, e);
                try
                {
                    await Task.Delay(pause, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                pause = TimeSpan.FromSeconds(Math.Min(30, pause.TotalSeconds * 2));
            }
        }
        _listening = false;
    }

    private Guid? ParseOther(string payload)
        => QueueNotifier.ParsePayload(payload) is { } p && p.Instance != hub.InstanceId ? p.Office : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for queue changes of other instances.")]
    private partial void LogListening();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The LISTEN connection failed; snapshots are marked stale; retrying in {Seconds} s.")]
    private partial void LogListenFailed(double seconds, Exception e);
}
