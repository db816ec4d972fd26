// Live congestion benchmark (issue 9). Two roles, run as separate processes by bench/live/run.sh:
//   serve     --urls URL --db PATH   the app with a synthetic office (the queue core's source stands in)
//                                    plus POST /bench/change, which changes the office and notifies
//   subscribe --url URL --subscribers N --changes K
//                                    holds N SSE streams, triggers K changes one after another and
//                                    measures, per change, the delay until each subscriber has it
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Madoguchi.LiveBench;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue;

var role = args.FirstOrDefault();
string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

if (role == "serve")
{
    var storage = Storage.Parse(Arg("--db", "bench-live.db"));
    await DataModule.MigrateAsync(storage);
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = ["--urls", Arg("--urls", "http://127.0.0.1:5090")],
        ApplicationName = typeof(MadoguchiApp).Assembly.GetName().Name,
    });
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddMadoguchi(storage);
    var source = new SyntheticOffice();
    builder.Services.AddSingleton<ICongestionSource>(source);
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
    var app = builder.Build();
    app.MapMadoguchi();
    // Bench only: stands for a counter call (a committed change followed by the core's notification).
    app.MapPost("/bench/change", async (IQueueNotifier notifier, CancellationToken ct) =>
    {
        source.Change();
        await notifier.OfficeChangedAsync(SyntheticOffice.Id, ct);
        return Results.Ok();
    }).AllowAnonymous();
    await app.RunAsync();
    return 0;
}

if (role == "subscribe")
{
    var url = Arg("--url", "http://127.0.0.1:5090");
    var n = int.Parse(Arg("--subscribers", "10000"), CultureInfo.InvariantCulture);
    var changes = int.Parse(Arg("--changes", "20"), CultureInfo.InvariantCulture);
    return await Subscribers.RunAsync(url, n, changes);
}

Console.Error.WriteLine("usage: serve --urls URL --db PATH | subscribe --url URL --subscribers N --changes K");
return 2;

namespace Madoguchi.LiveBench
{
    /// <summary>An office shaped like Koto's main office (3 sections, 9 services, ~120 waiting); each change calls one number.</summary>
    public sealed class SyntheticOffice : ICongestionSource
    {
        public static readonly Guid Id = Guid.Parse("6a1c3d5e-0000-4000-8000-000000000001");
        private readonly Lock _gate = new();
        private int _called;
        private DateTimeOffset _changedAt = DateTimeOffset.UtcNow;

        public void Change()
        {
            lock (_gate)
            {
                _called++;
                // The change's own time: subscribers measure their delay from it.
                _changedAt = DateTimeOffset.UtcNow;
            }
        }

        public Task<CongestionSnapshot?> LoadAsync(Guid officeId, CancellationToken ct)
        {
            if (officeId != Id) return Task.FromResult<CongestionSnapshot?>(null);
            lock (_gate)
            {
                var sections = new List<SectionCongestion>();
                var names = new[] { ("住民記録係", new[] { "転入", "転居・世帯変更", "転出", "マイナカード保有者の転入・転居" }), ("戸籍係", new[] { "出生・婚姻届", "戸籍証明" }), ("保険年金課", new[] { "国民健康保険", "国民年金", "後期高齢者医療" }) };
                var start = 2000;
                foreach (var (section, services) in names)
                {
                    var list = services.Select((s, i) =>
                    {
                        var first = start + (sections.Count * 4 + i) * 300 + _called;
                        var queue = Enumerable.Range(first, 14).ToList();
                        return new ServiceCongestion(Guid.NewGuid(), s, "", queue.Count, first - 1, new WaitRange(queue.Count * 4, queue.Count * 7), queue);
                    }).ToList();
                    sections.Add(new SectionCongestion(Guid.NewGuid(), section, "", "blue", list.Sum(s => s.Waiting), list));
                }
                var calls = Enumerable.Range(0, 8).Select(i => new RecentCall(2000 + _called - i, (i % 6 + 1).ToString(CultureInfo.InvariantCulture), Guid.Empty, _changedAt.AddSeconds(-i))).ToList();
                return Task.FromResult<CongestionSnapshot?>(new CongestionSnapshot(new OfficeRef(Id, "江東区役所 本庁舎", "Koto City Hall"), _changedAt, false, sections, calls));
            }
        }

        public Task<IReadOnlyList<Guid>> OfficeIdsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Guid>>([Id]);
    }

    public static class Subscribers
    {
        private static readonly byte[] UpdatedAt = "\"updatedAt\":\""u8.ToArray();

        public static async Task<int> RunAsync(string url, int n, int changes)
        {
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = int.MaxValue,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                ConnectTimeout = TimeSpan.FromSeconds(30),
            };
            using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan, DefaultRequestVersion = HttpVersion.Version11 };
            var stream = $"/api/v1/offices/{SyntheticOffice.Id}/congestion/stream";
            using var stop = new CancellationTokenSource();
            // Per subscriber: the updatedAt of each snapshot received and when it arrived (UTC ticks).
            var received = new List<(long ChangeTicks, long AtTicks)>[n];
            var connected = 0;
            var tasks = new Task[n];
            var sw = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(200);
            for (var i = 0; i < n; i++)
            {
                var log = received[i] = new List<(long, long)>(changes + 4);
                await gate.WaitAsync();
                tasks[i] = Task.Run(async () =>
                {
                    try
                    {
                        var response = await http.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                        response.EnsureSuccessStatusCode();
                        var body = await response.Content.ReadAsStreamAsync(stop.Token);
                        Interlocked.Increment(ref connected);
                        gate.Release();
                        await ReadAsync(body, log, stop.Token);
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                    }
                    catch (Exception e)
                    {
                        try { gate.Release(); } catch (SemaphoreFullException) { }
                        Console.Error.WriteLine($"subscriber failed: {e.GetType().Name}: {e.Message}");
                    }
                });
            }
            // Every subscriber has its first snapshot before the first change.
            while (received.Count(r => Volatile.Read(ref r).Count == 0) > 0 && sw.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(200);
            var ready = received.Count(r => r.Count > 0);
            Console.Error.WriteLine($"bench: {ready} of {n} subscribers connected in {sw.Elapsed.TotalSeconds:F1} s");
            await Task.Delay(1000);

            var lastPerChange = new List<double>();
            var all = new List<double>();
            var missing = 0;
            for (var c = 0; c < changes; c++)
            {
                var counts = received.Select(r => r.Count).ToArray();
                (await http.PostAsync("/bench/change", null)).EnsureSuccessStatusCode();
                var wait = Stopwatch.StartNew();
                while (wait.Elapsed < TimeSpan.FromSeconds(15) && received.Where((r, i) => counts[i] > 0 && Volatile.Read(ref r).Count <= counts[i]).Any()) await Task.Delay(20);
                var delays = new List<double>();
                for (var i = 0; i < n; i++)
                {
                    if (counts[i] == 0) continue;
                    lock (received[i])
                    {
                        if (received[i].Count <= counts[i]) { missing++; continue; }
                        var (changeTicks, atTicks) = received[i][counts[i]];
                        delays.Add(TimeSpan.FromTicks(atTicks - changeTicks).TotalMilliseconds);
                    }
                }
                if (delays.Count > 0) lastPerChange.Add(delays.Max());
                all.AddRange(delays);
                await Task.Delay(300);
            }
            stop.Cancel();
            all.Sort();
            lastPerChange.Sort();
            double P(List<double> xs, double p) => xs.Count == 0 ? double.NaN : xs[Math.Min(xs.Count - 1, (int)Math.Ceiling(p * xs.Count) - 1)];
            var inv = CultureInfo.InvariantCulture;
            // One line of key=value for the script.
            Console.WriteLine(string.Create(inv, $"subscribers={ready} changes={changes} deliveries={all.Count} missing={missing} p50={P(all, 0.5):F1} p99={P(all, 0.99):F1} last_p50={P(lastPerChange, 0.5):F1} last_p99={P(lastPerChange, 0.99):F1} last_max={(lastPerChange.Count == 0 ? double.NaN : lastPerChange[^1]):F1}"));
            return ready == n && missing == 0 ? 0 : 1;
        }

        private static async Task ReadAsync(Stream body, List<(long, long)> log, CancellationToken ct)
        {
            var buffer = new byte[64 * 1024];
            var filled = 0;
            while (true)
            {
                var read = await body.ReadAsync(buffer.AsMemory(filled), ct);
                if (read == 0) return;
                var at = DateTime.UtcNow.Ticks;
                filled += read;
                // Complete events end with a blank line; each carries the snapshot's updatedAt.
                int end;
                while ((end = buffer.AsSpan(0, filled).IndexOf("\n\n"u8)) >= 0)
                {
                    var ev = buffer.AsSpan(0, end);
                    var i = ev.IndexOf(UpdatedAt);
                    if (i >= 0)
                    {
                        var rest = ev[(i + UpdatedAt.Length)..];
                        var q = rest.IndexOf((byte)'"');
                        var changed = DateTimeOffset.Parse(Encoding.ASCII.GetString(rest[..q]), CultureInfo.InvariantCulture).UtcTicks;
                        lock (log) log.Add((changed, at));
                    }
                    buffer.AsSpan(end + 2, filled - end - 2).CopyTo(buffer);
                    filled -= end + 2;
                }
                if (filled == buffer.Length) return;
            }
        }
    }
}
