// Queue simulator (issue 10): a branch office's moving-season days (1–2 April 2025) against the real
// app. Tickets are issued over real HTTP at the kiosk API (127.0.0.1, kiosk token); counters call and
// complete through the app's CounterOperations in process (what the console page and the counter API
// call); a virtual clock injected as the app's TimeProvider is advanced from event to event. Every
// ticket's estimate shown at issue and its real wait are compared, on the same tickets, with a fixed
// 5-minutes-per-person baseline.
//   dotnet run -c Release --project bench/queue-sim -- [--seed 20250401] [--out docs/benchmarks.md]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Bench.QueueSim;
using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Waits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var seed = int.Parse(Arg("--seed", "20250401"), CultureInfo.InvariantCulture);
var outPath = Arg("--out", "");
var folder = Path.Combine(Path.GetTempPath(), "madoguchi-queue-sim-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
var storage = Storage.Parse(Path.Combine(folder, "sim.db"));
await DataModule.MigrateAsync(storage);

var clock = new VirtualClock(Day.Open(Day.Days[0]));
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = ["--urls", "http://127.0.0.1:0"],
    ApplicationName = typeof(MadoguchiApp).Assembly.GetName().Name,
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// The kiosk's limit protects a real lobby from a stuck button; the simulator issues a day in seconds.
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Madoguchi:RateLimits:ticket:PermitLimit"] = "1000000000",
    ["Madoguchi:RateLimits:public:PermitLimit"] = "1000000000",
});
builder.AddMadoguchi(storage);
builder.Services.AddSingleton<TimeProvider>(clock);
var app = builder.Build();
app.MapMadoguchi();
await app.StartAsync();
var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

var office = new Office { Name = "シミュレーション出張所", NameEn = "Simulated branch office", Kind = OfficeKind.Branch, OpensAt = new TimeOnly(8, 30), ClosesAt = new TimeOnly(17, 15) };
var section = new QueueSection { OfficeId = office.Id, Name = "市民係", NameEn = "Residents" };
var services = Model.Services.Select((s, i) => (Spec: s, Entity: new QueueService
{
    OfficeId = office.Id,
    SectionId = section.Id,
    Name = s.Name,
    NameEn = s.NameEn,
    RangeFrom = 1000 * (i + 1),
    RangeTo = 1000 * (i + 1) + 899,
    SortOrder = i,
})).ToList();
var counters = new List<(QueueCounter Counter, int Service)>();
foreach (var (spec, i) in Model.Services.Select((s, i) => (s, i)))
{
    for (var c = 0; c < spec.Counters; c++)
    {
        counters.Add((new QueueCounter { OfficeId = office.Id, Number = (counters.Count + 1).ToString(CultureInfo.InvariantCulture), SortOrder = counters.Count }, i));
    }
}
string kioskToken;
await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
    db.Offices.Add(office);
    db.QueueSections.Add(section);
    db.QueueServices.AddRange(services.Select(s => s.Entity));
    db.QueueCounters.AddRange(counters.Select(c => c.Counter));
    await db.SaveChangesAsync();
    kioskToken = (await scope.ServiceProvider.GetRequiredService<KioskDevices>().RegisterAsync(office.Id, "発券機", default)).Token;
}

using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", kioskToken);
var random = new Random(seed);
var tickets = new List<SimTicket>();
var latencies = new List<double>();
var counterOps = 0;
var wall = Stopwatch.StartNew();

async Task<T> Ops<T>(Func<CounterOperations, Task<T>> action)
{
    await using var scope = app.Services.CreateAsyncScope();
    counterOps++;
    return await action(scope.ServiceProvider.GetRequiredService<CounterOperations>());
}

foreach (var day in Day.Days)
{
    clock.Set(Day.Open(day).AddMinutes(-5));
    foreach (var (counter, service) in counters)
    {
        await Ops(ops => ops.AssignAsync(counter.Id, "sim", [services[service].Entity.Id], [], default));
    }
    var events = new PriorityQueue<SimEvent, (DateTimeOffset, long)>();
    long sequence = 0;
    foreach (var (spec, i) in Model.Services.Select((s, i) => (s, i)))
    {
        foreach (var at in Model.Arrivals(random, day, spec.PerDay)) events.Enqueue(new SimEvent(at, i, null), (at, sequence++));
    }
    var busy = new Dictionary<Guid, bool>();
    var byNumber = new Dictionary<int, SimTicket>();

    async Task TryCallAsync(QueueCounter counter, int service)
    {
        if (busy.GetValueOrDefault(counter.Id)) return;
        var called = await Ops(ops => ops.CallNextAsync(counter.Id, "sim", null, default));
        if (called is null) return;
        busy[counter.Id] = true;
        if (byNumber.TryGetValue(called.Ticket.Number, out var t) && t.CalledAt is null) t.CalledAt = clock.GetUtcNow();
        var minutes = Model.ServiceMinutes(random, Model.Services[service]);
        var end = clock.GetUtcNow().AddMinutes(minutes);
        events.Enqueue(new SimEvent(end, service, counter), (end, sequence++));
    }

    while (events.TryDequeue(out var e, out _))
    {
        clock.Set(e.At);
        if (e.Counter is { } finishing)
        {
            await Ops(ops => ops.CompleteAsync(finishing.Id, "sim", default));
            busy[finishing.Id] = false;
            await TryCallAsync(finishing, e.Service);
            continue;
        }
        var service = services[e.Service].Entity;
        var sw = Stopwatch.StartNew();
        var response = await http.PostAsJsonAsync($"/api/v1/offices/{office.Id}/services/{service.Id}/tickets", new { language = "ja" });
        latencies.Add(sw.Elapsed.TotalMilliseconds);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"issue failed at {e.At:HH:mm}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var wait = body["estimatedWaitMinutes"]!;
        var ticket = new SimTicket(day, e.Service, body["number"]!.GetValue<int>(), e.At, body["ahead"]!.GetValue<int>(),
            wait["low"]!.GetValue<int>(), wait["high"]!.GetValue<int>(), body["estimateBasis"]!.GetValue<string>() == "default");
        tickets.Add(ticket);
        byNumber[ticket.Number] = ticket;
        foreach (var (counter, s) in counters.Where(c => c.Service == e.Service)) await TryCallAsync(counter, s);
    }
}
wall.Stop();

// The app's own report (what `madoguchi queue accuracy` prints) over both days, to check against.
AccuracyReport appReport;
await using (var scope = app.Services.CreateAsyncScope())
{
    appReport = (await scope.ServiceProvider.GetRequiredService<WaitAccuracy>().ReportAsync(office.Id, Day.Days[0], Day.Days[^1], default))!;
}
await app.StopAsync();
await app.DisposeAsync();
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(folder, recursive: true);

var result = Report.Markdown(tickets, appReport, latencies, counterOps, wall.Elapsed, seed);
Console.WriteLine(result);
if (outPath.Length > 0) Report.Write(outPath, result);
return 0;

namespace Madoguchi.Bench.QueueSim
{
    /// <summary>The app's clock: the simulator sets it to each event's time (only wall-clock-free parts of the app read it).</summary>
    public sealed class VirtualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public void Set(DateTimeOffset at) => _now = at;
        public override DateTimeOffset GetUtcNow() => _now.ToUniversalTime();
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    public sealed record SimEvent(DateTimeOffset At, int Service, QueueCounter? Counter);

    public sealed class SimTicket(DateOnly day, int service, int number, DateTimeOffset issuedAt, int ahead, int low, int high, bool isDefault)
    {
        public DateOnly Day { get; } = day;
        public int Service { get; } = service;
        public int Number { get; } = number;
        public DateTimeOffset IssuedAt { get; } = issuedAt;
        public int Ahead { get; } = ahead;
        public int Low { get; } = low;
        public int High { get; } = high;
        public bool IsDefault { get; } = isDefault;
        public DateTimeOffset? CalledAt { get; set; }
        public int WaitSeconds => (int)(CalledAt!.Value - IssuedAt).TotalSeconds;
    }

    public static class Day
    {
        /// <summary>1–2 April 2025 (Tuesday, Wednesday): the peak of the moving season.</summary>
        public static readonly DateOnly[] Days = [new(2025, 4, 1), new(2025, 4, 2)];
        public static DateTimeOffset Open(DateOnly day) => new(day.ToDateTime(new TimeOnly(8, 30)), TimeSpan.FromHours(9));
    }

    /// <summary>One service of the simulated branch: tickets a day, counters, and its service-time distribution.</summary>
    public sealed record ServiceSpec(string Name, string NameEn, int PerDay, int Counters, double MeanMinutes, double Cv);

    /// <summary>
    /// The office, from DESIGN.md §3b: a branch where moving procedures run 200–250 a day on 1–2 April
    /// (Ishigaki) — here 145 moving-in/within-city plus 85 moving-out = 230 — next to the other counters
    /// a branch has (certificates, health insurance and pension, which moving residents also visit).
    /// Service times are log-normal (right-skewed: most visits short, a few very long), with the means
    /// and coefficients of variation below; they are assumptions, not published figures. Arrivals follow
    /// a half-hourly profile with the opening rush and an after-lunch peak, tickets from 8:30 to 17:00;
    /// counters keep serving after closing until the queue is empty. Nobody leaves or fails to come.
    /// </summary>
    public static class Model
    {
        public static readonly ServiceSpec[] Services =
        [
            new("転入・転居", "Moving in", 145, 5, 18, 0.45),
            new("転出", "Moving out", 85, 2, 9, 0.5),
            new("証明書の発行", "Certificates", 160, 2, 4, 0.5),
            new("国保・年金", "Health insurance and pension", 90, 2, 12, 0.5),
        ];

        /// <summary>Relative arrivals per half hour from 8:30 to 17:00.</summary>
        private static readonly double[] Profile = [1.7, 1.6, 1.4, 1.3, 1.1, 1.0, 0.9, 0.8, 0.9, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.5];

        public static IEnumerable<DateTimeOffset> Arrivals(Random random, DateOnly day, int count)
        {
            var total = Profile.Sum();
            for (var i = 0; i < count; i++)
            {
                var u = random.NextDouble() * total;
                var slot = 0;
                while (slot < Profile.Length - 1 && u > Profile[slot])
                {
                    u -= Profile[slot];
                    slot++;
                }
                yield return Day.Open(day).AddMinutes(30 * slot + random.NextDouble() * 30);
            }
        }

        public static double ServiceMinutes(Random random, ServiceSpec s)
        {
            var sigma = Math.Sqrt(Math.Log(1 + s.Cv * s.Cv));
            var mu = Math.Log(s.MeanMinutes) - sigma * sigma / 2;
            // Box–Muller: one standard normal draw.
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return Math.Exp(mu + sigma * z);
        }
    }

    public static class Report
    {
        /// <summary>The baseline: 5 minutes per person ahead (the fixed rule many offices post), with the old ±25 % as its range.</summary>
        public static (int Low, int High, int Point) Baseline(SimTicket t)
        {
            var point = 5 * t.Ahead;
            return ((int)Math.Floor(point * 0.75), (int)Math.Ceiling(point * 1.25), point);
        }

        private sealed record Line(string Name, int Tickets, int Defaults, string MeanWait, string MaxWait, string Mae, string Inside, string BaseMae, string BaseInside);

        private static Line Summarise(string name, IReadOnlyList<SimTicket> list)
        {
            var called = list.Where(t => t.CalledAt is not null).ToList();
            long abs = called.Sum(t => (long)Math.Abs(t.WaitSeconds - (t.Low + t.High) * 30));
            var inside = called.Count(t => t.WaitSeconds >= t.Low * 60 && t.WaitSeconds <= t.High * 60);
            long baseAbs = called.Sum(t => (long)Math.Abs(t.WaitSeconds - Baseline(t).Point * 60));
            var baseInside = called.Count(t => t.WaitSeconds >= Baseline(t).Low * 60 && t.WaitSeconds <= Baseline(t).High * 60);
            string M(long seconds) => Fmt(WaitAccuracy.Tenths(seconds, called.Count * 60L, RoundingMode.HalfUp)) + " min";
            string P(int part) => Madoguchi.Web.Shared.Percent.WithCounts(part, called.Count, RoundingMode.HalfUp);
            return new Line(name, list.Count, list.Count(t => t.IsDefault), M(called.Sum(t => (long)t.WaitSeconds)),
                called.Count == 0 ? "—" : $"{called.Max(t => t.WaitSeconds) / 60} min", M(abs), P(inside), M(baseAbs), P(baseInside));
        }

        private static string Fmt(decimal? d) => d is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";

        public static string Markdown(List<SimTicket> tickets, AccuracyReport app, List<double> latencies, int counterOps, TimeSpan wall, int seed)
        {
            var lines = new List<Line>();
            foreach (var day in Day.Days)
            {
                var ofDay = tickets.Where(t => t.Day == day).ToList();
                lines.Add(Summarise($"**{day:M/d} all services**", ofDay));
                foreach (var (s, i) in Model.Services.Select((s, i) => (s, i))) lines.Add(Summarise($"{day:M/d} {s.Name}", ofDay.Where(t => t.Service == i).ToList()));
            }
            lines.Add(Summarise("**both days**", tickets));
            latencies.Sort();
            double Pct(double p) => latencies[(int)Math.Min(latencies.Count - 1, Math.Floor(p * latencies.Count))];
            var requests = latencies.Count;
            var sb = new System.Text.StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} shared cores, `dotnet run -c Release --project bench/queue-sim -- --seed {seed} --out docs/benchmarks.md`");
            sb.AppendLine(CultureInfo.InvariantCulture, $"(SQLite, one app instance on 127.0.0.1; {string.Join(", ", Model.Services.Select(s => $"{s.Name} {s.PerDay}/day on {s.Counters} counters, mean {s.MeanMinutes} min"))}).");
            sb.AppendLine();
            sb.AppendLine("MAE = mean absolute error of the middle of the range shown at issue against the real wait (arrival → first call); inside = real waits within the shown range (bounds included). Baseline: 5 min × people ahead, range ±25 %, on the same tickets.");
            sb.AppendLine();
            sb.AppendLine("| day, service | tickets | default-flagged | mean real wait | longest | **Madoguchi MAE** | **Madoguchi inside range** | 5-min baseline MAE | baseline inside range |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var l in lines)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {l.Name} | {l.Tickets} | {l.Defaults} | {l.MeanWait} | {l.MaxWait} | {l.Mae} | {l.Inside} | {l.BaseMae} | {l.BaseInside} |");
            }
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"The app's own accuracy report for the two days (`queue accuracy`) agrees: MAE {Fmt(app.Overall.MaeMinutes(app.Rounding))} min, inside {Madoguchi.Web.Shared.Percent.WithCounts(app.Overall.Inside, app.Overall.Called, app.Rounding)}.");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Load: {requests} ticket requests over HTTP and {counterOps} counter operations (assign, call, complete) in {wall.TotalSeconds:0.0} s of wall time " +
                $"({(requests + counterOps) / wall.TotalSeconds:0} operations/s, sequential: each waits for the snapshot rebuild it triggers); ticket request latency p50 {Pct(0.5):0.0} ms, p99 {Pct(0.99):0.0} ms.");
            return sb.ToString().TrimEnd();
        }

        public static void Write(string path, string result)
        {
            const string start = "<!-- queue-sim:start -->", end = "<!-- queue-sim:end -->";
            var text = File.ReadAllText(path);
            var block = $"{start}\n{result}\n{end}";
            var i = text.IndexOf(start, StringComparison.Ordinal);
            var j = text.IndexOf(end, StringComparison.Ordinal);
            text = i >= 0 && j > i ? text[..i] + block + text[(j + end.Length)..] : text.TrimEnd() + "\n\n## Queue simulator (issue 10)\n\n" + block + "\n";
            File.WriteAllText(path, text);
        }
    }
}
