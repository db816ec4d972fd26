using System.Globalization;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Madoguchi.Web.Features.Queue.Live;

/// <summary>
/// The live layer of the queue: snapshots per office in memory, pushed over Server-Sent Events,
/// the anonymous congestion API, and change notification across instances on PostgreSQL.
/// </summary>
public static class LiveModule
{
    public static WebApplicationBuilder AddQueueLive(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Madoguchi:Live");
        var options = new LiveOptions();
        if (section.GetValue<double?>("RefreshSeconds") is { } refresh) options.Refresh = TimeSpan.FromSeconds(refresh);
        if (section.GetValue<double?>("KeepAliveSeconds") is { } keepAlive) options.KeepAlive = TimeSpan.FromSeconds(keepAlive);
        if (section.GetValue<double?>("RetryAfterFailureSeconds") is { } retry) options.RetryAfterFailure = TimeSpan.FromSeconds(retry);
        foreach (var origin in (section["AllowedOrigins"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            options.AllowedOrigins.Add(origin.TrimEnd('/'));
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp =>
        {
            var hub = ActivatorUtilities.CreateInstance<CongestionHub>(sp);
            // On PostgreSQL other instances' changes are unheard until LISTEN is up: stale until then.
            if (sp.GetRequiredService<Storage>().Engine == StorageEngine.Postgres) hub.SetFeedHealthy(false);
            return hub;
        });
        builder.Services.AddSingleton<IQueueNotifier, QueueNotifier>();
        builder.Services.AddHostedService<LiveRefresher>();
        builder.Services.AddSingleton<PostgresListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresListener>());
        return builder;
    }

    public static WebApplication MapQueueLive(this WebApplication app)
    {
        app.MapGet("/api/v1/offices/{office:guid}/congestion", async (Guid office, HttpContext http, CongestionHub hub, CancellationToken ct) =>
        {
            var (availability, snapshot) = await hub.FindAsync(office, ct);
            if (snapshot is null) return Unavailable(http, availability);
            http.Response.Headers.ETag = snapshot.ETag;
            // Short-lived: a proxy or browser may reuse it briefly, the stream carries the changes.
            http.Response.Headers.CacheControl = "public, max-age=2";
            if (http.Request.Headers.IfNoneMatch.ToString() == snapshot.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(snapshot.Json, "application/json; charset=utf-8");
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("OfficeCongestion");

        app.MapGet("/api/v1/offices/{office:guid}/congestion/stream", async (Guid office, HttpContext http, CongestionHub hub, CancellationToken ct) =>
        {
            if (IsForeignOrigin(http.Request, hub.Options))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "このサイト以外のページからは接続できません。",
                    detail: "混雑状況の配信は、このサイトのページからのみ利用できます。データは /api/v1/offices/{office}/congestion からも取得できます。");
            }
            var (availability, snapshot) = await hub.FindAsync(office, ct);
            if (snapshot is null) return Unavailable(http, availability);
            await StreamAsync(http, hub, office);
            return Results.Empty;
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("OfficeCongestionStream");

        // The display speaks what this returns; a pure function of its input, so it may be cached long.
        app.MapGet("/api/v1/announcements", (int? number, string? counter, HttpContext http) =>
        {
            if (number is not (>= 0 and <= 99_999_999) || string.IsNullOrWhiteSpace(counter) || counter.Length > 40)
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "呼出し番号と窓口を指定してください。",
                    detail: "number に 0 以上の番号、counter に窓口（例: 3）を指定してください。");
            }
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Ok(Announcement.For(number.Value, counter));
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("Announcement");
        return app;
    }

    private static IResult Unavailable(HttpContext http, OfficeAvailability availability)
    {
        if (availability == OfficeAvailability.NoSuchOffice)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "庁舎が見つかりません。",
                detail: "この ID の庁舎・出張所はありません。一覧は /api/v1/offices で確かめてください。");
        }
        http.Response.Headers.RetryAfter = "10";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "混雑状況のデータを取得できていません。",
            detail: "待ち人数のデータをまだ読み込めていません（データベースに接続できない可能性があります）。0人という意味ではありません。しばらくしてから、もう一度お試しください。");
    }

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>
    /// The current snapshot at once, then one event per publication; an idle stream gets a comment
    /// at each heartbeat. A slow client never queues snapshots: when it is ready again it gets the latest.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, CongestionHub hub, Guid officeId)
    {
        var office = hub.Office(officeId);
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache, no-transform";
        // nginx would otherwise hold the events back in its buffer.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, hub.Stopping);
        var ct = ended.Token;
        Interlocked.Increment(ref office.SubscriberCount);
        try
        {
            // Spread reconnections after a restart, so thousands of browsers do not come back in the same second.
            var retry = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"retry: {Random.Shared.Next(2000, 10000)}\n\n"));
            await http.Response.Body.WriteAsync(retry, ct);
            long sent = -1;
            while (!ct.IsCancellationRequested)
            {
                // Taken before reading Current: a publication after this line completes this very task.
                var changed = office.Changed;
                var current = office.Current;
                if (current is not null && current.Version != sent)
                {
                    await http.Response.Body.WriteAsync(current.Frame, ct);
                    sent = current.Version;
                }
                else
                {
                    await http.Response.Body.WriteAsync(KeepAlive, ct);
                }
                await http.Response.Body.FlushAsync(ct);
                await changed.WaitAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left or the app is stopping.
        }
        catch (IOException)
        {
            // The connection broke while writing.
        }
        finally
        {
            Interlocked.Decrement(ref office.SubscriberCount);
        }
    }

    /// <summary>
    /// A browser sends Origin on an EventSource request; another site's page may not hold streams
    /// open here. Requests without Origin (curl, open-data clients) are served.
    /// </summary>
    public static bool IsForeignOrigin(HttpRequest request, LiveOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return false;
        if (options.AllowedOrigins.Contains(origin.TrimEnd('/'))) return false;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return true;
        var requestPort = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return !(string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == requestPort);
    }
}
