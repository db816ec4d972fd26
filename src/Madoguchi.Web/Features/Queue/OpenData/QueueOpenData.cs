using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Features.Queue.Statistics;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Madoguchi.Web.Features.Queue.OpenData;

/// <summary>
/// 窓口混雑状況オープンデータ (CC BY 4.0, docs/opendata.md): each office's live snapshot as JSON (the
/// hub's cached snapshot, wrapped with the licence), its daily history as CSV, and an index. All
/// anonymous and rate limited like the other public endpoints; no personal data: ticket numbers
/// only, never status tokens, names or staff.
/// </summary>
public static class QueueOpenData
{
    public const string License = "CC-BY-4.0";
    public const string LicenseUrl = "https://creativecommons.org/licenses/by/4.0/deed.ja";
    public const string DataName = "窓口混雑状況オープンデータ";
    /// <summary>
    /// A cell of the daily CSV with fewer waits than this leaves its wait figures empty: one or two
    /// residents' waits at a known hour could be told apart by someone who saw them there. Counts of
    /// tickets are kept (a count of anonymous numbered tickets identifies no one).
    /// </summary>
    public const int MinimumWaits = 3;
    public const int DefaultDays = 7;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        // docs/opendata.md: all times are Japan time.
        Converters = { new Shared.Japanese.JapanTimeJsonConverter() },
    };

    public static string Attribution(string municipality) => $"出典：{(municipality.Length == 0 ? "（団体名未設定）" : municipality)} {DataName}";

    public static string SnapshotPath(Guid office) => $"/opendata/queue/offices/{office}.json";
    public static string DailyPath(Guid office) => $"/opendata/queue/offices/{office}/daily.csv";

    public static WebApplicationBuilder AddQueueStatistics(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<QueueStatistics>();
        // The reservations module registers its own (Add, not TryAdd) to fill "reservations kept".
        builder.Services.TryAddScoped<IReservationStatistics, NoReservationStatistics>();
        return builder;
    }

    public static WebApplication MapQueueOpenData(this WebApplication app)
    {
        app.MapGet("/opendata/queue/index.json", async (HttpContext http, MadoguchiDbContext db, CancellationToken ct) =>
        {
            var municipality = await MunicipalityNameAsync(db, ct);
            var origin = Origin(http.Request);
            var offices = await OfficesAsync(db, ct);
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(JsonSerializer.Serialize(new
            {
                title = $"{municipality} {DataName}",
                license = License,
                licenseUrl = LicenseUrl,
                attribution = Attribution(municipality),
                documentation = origin + "/opendata/queue",
                timeZone = "Asia/Tokyo",
                offices = offices.Select(o => new
                {
                    id = o.Id,
                    name = o.Name,
                    nameEn = o.NameEn,
                    snapshot = origin + SnapshotPath(o.Id),
                    daily = origin + DailyPath(o.Id),
                }),
            }, Json), "application/json; charset=utf-8", Encoding.UTF8);
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("OpenDataQueueIndex");

        app.MapGet("/opendata/queue/offices/{office:guid}.json", async (Guid office, HttpContext http, CongestionHub hub, MadoguchiDbContext db, CancellationToken ct) =>
        {
            var (availability, published) = await hub.FindAsync(office, ct);
            if (published is null) return Unavailable(http, availability);
            var bytes = Envelope(published, await MunicipalityNameAsync(db, ct), Origin(http.Request));
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
            http.Response.Headers.ETag = etag;
            // As fresh as the live page allows: the snapshot changes with every call at the counters.
            http.Response.Headers.CacheControl = "public, max-age=10";
            if (http.Request.Headers.IfNoneMatch.ToString() == etag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(bytes, "application/json; charset=utf-8");
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("OpenDataQueueSnapshot");

        app.MapGet("/opendata/queue/offices/{office:guid}/daily.csv", async (Guid office, string? from, string? to, HttpContext http,
            QueueStatistics statistics, MadoguchiDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            if (!await db.Offices.AnyAsync(o => o.Id == office, ct)) return NoOffice();
            // Complete days by default: the 7 days up to yesterday.
            var (first, last, errors) = StatisticsPeriod.Parse(from, to, JapanTime.Today(clock).AddDays(-1), DefaultDays);
            if (errors.Count > 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "期間の指定が正しくありません。",
                    detail: string.Join(" ", errors.Select(e => e.Message)),
                    extensions: new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { field = e.Field, code = e.Code, message = e.Message }).ToList() });
            }
            var result = (await statistics.ComputeAsync(office, first, last, StatisticsBy.Hour, k => k with { Step = 0 }, ct))!;
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.File(DailyCsv(result), "text/csv; charset=utf-8",
                $"queue-daily-{office}-{StatisticsTable.Iso(first)}-{StatisticsTable.Iso(last)}.csv");
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("OpenDataQueueDaily");
        return app;
    }

    public static readonly IReadOnlyList<string> DailyHeaders =
        ["日付", "庁舎ID", "庁舎名", "受付内容ID", "受付内容", "時台", "発券数", "待ち時間中央値（分）", "待ち時間90%点（分）", "待ち時間の件数", "完了数", "不在"];

    /// <summary>One row per date, service and hour with any event; wait figures left empty below <see cref="MinimumWaits"/>.</summary>
    public static byte[] DailyCsv(StatisticsResult r)
    {
        var rows = r.Groups.Select(g =>
        {
            var (k, x) = g;
            var shown = x.Waits.Count >= MinimumWaits;
            return new object?[]
            {
                StatisticsTable.Iso(k.Date), r.Office.Id.ToString(), r.Office.Name, k.ServiceId.ToString(),
                r.Services.TryGetValue(k.ServiceId, out var s) ? s.Name : "", k.Hour, x.Issued,
                shown ? QueueStatistics.Minutes(x.Waits.Percentile(50), r.Rounding) : null,
                shown ? QueueStatistics.Minutes(x.Waits.Percentile(90), r.Rounding) : null,
                x.Waits.Count, x.Done, x.NoShows,
            };
        });
        return StatisticsTable.Csv(DailyHeaders, rows);
    }

    /// <summary>
    /// The published snapshot (already serialised once for every viewer) inside the licence fields,
    /// written around its bytes rather than serialised again.
    /// </summary>
    public static byte[] Envelope(PublishedSnapshot published, string municipality, string origin)
    {
        var head = JsonSerializer.Serialize(new
        {
            title = $"{municipality} {DataName}",
            license = License,
            licenseUrl = LicenseUrl,
            attribution = Attribution(municipality),
            documentation = origin + "/opendata/queue",
            timeZone = "Asia/Tokyo",
        }, Json);
        var prefix = Encoding.UTF8.GetBytes(head[..^1] + ",\"snapshot\":");
        return [.. prefix, .. published.Json, (byte)'}'];
    }

    public static async Task<List<Platform.Office>> OfficesAsync(MadoguchiDbContext db, CancellationToken ct)
    {
        var withQueue = db.QueueServices.Select(s => s.OfficeId);
        return await db.Offices.AsNoTracking().Where(o => withQueue.Contains(o.Id)).OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
    }

    public static async Task<string> MunicipalityNameAsync(MadoguchiDbContext db, CancellationToken ct)
        => await db.Municipalities.AsNoTracking().Where(m => m.Id == Platform.Municipality.SingletonId).Select(m => m.Name).FirstOrDefaultAsync(ct) ?? "";

    private static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    private static IResult NoOffice() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "庁舎が見つかりません。",
        detail: "この ID の庁舎・出張所はありません。一覧は /opendata/queue/index.json で確かめてください。");

    private static IResult Unavailable(HttpContext http, OfficeAvailability availability)
    {
        if (availability == OfficeAvailability.NoSuchOffice) return NoOffice();
        http.Response.Headers.RetryAfter = "10";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "混雑状況のデータを取得できていません。",
            detail: "待ち人数のデータをまだ読み込めていません。0人という意味ではありません。しばらくしてから、もう一度お試しください。");
    }
}
