using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Ledger benchmark (issue 7, DESIGN.md §5): the ledger page of a procedure with 300,000 cases, as a
// full HTTP GET by a signed-in member of staff, against the bare keyset SQL query returning the same
// page of rows over the same table, measured alternately in the same run.
var rows = 300_000;
var runs = 21;
string? output = null;
var breakdown = false;
var export = false;
var exportParts = false;
var warmup = 60;
string? postgres = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out rows) && rows > 1000: i++; break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out runs) && runs > 0: i++; break;
        case "--out" when i + 1 < args.Length: output = args[++i]; break;
        case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out warmup) && warmup >= 0: i++; break;
        case "--postgres" when i + 1 < args.Length: postgres = args[++i]; break;
        case "--breakdown": breakdown = true; break;
        case "--export": export = true; break;
        case "--export-parts": export = exportParts = true; break;
        default:
            Console.Error.WriteLine("usage: --rows N (default 300000, > 1000) --runs N (default 21) --warmup SECONDS (default 60) --out docs/benchmarks.md --postgres postgres://user@host:port/db (on PostgreSQL instead of SQLite: a database of its own is created on that server and dropped after) --breakdown (where one request's time goes: each database command, the commit) --export (the ledger exported through the API as CSV and XLSX against CsvHelper and MiniExcel over a bare query) --export-parts (where the CSV export time goes: reading rows, writing CSV, HTTP)");
            return 2;
    }
}
if (postgres is not null && (breakdown || export))
{
    Console.Error.WriteLine("--breakdown and --export read SQLite's own query plans and files: run them without --postgres.");
    return 2;
}
var ct = CancellationToken.None;
var runId = Guid.NewGuid().ToString("N")[..8];
var work = Path.Combine(Path.GetTempPath(), "madoguchi-ledger-bench-" + runId);
Directory.CreateDirectory(work);
var pgDatabase = postgres is null ? null : await PgDatabase.CreateAsync(postgres, "madoguchi_ledger_bench_" + runId, ct);
try
{
    var storage = pgDatabase is not null ? Storage.Parse(pgDatabase.Url, Path.Combine(work, "files")) : Storage.Parse(Path.Combine(work, "ledger.db"));
    await DataModule.MigrateAsync(storage, ct);
    await using var app = MadoguchiApp.Create(["--urls", "http://127.0.0.1:0", "--Madoguchi:RateLimits:signin:PermitLimit", "1000"], storage, quiet: true);

    // --- seed -------------------------------------------------------------------------------
    const string email = "ledger-bench@example.jp";
    var password = DemoData.GeneratePassword();
    Guid procedureId;
    string? token = null;
    var seedWatch = Stopwatch.StartNew();
    await using (var scope = app.Services.CreateAsyncScope())
    {
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<MadoguchiDbContext>();
        var department = new Department { Bu = "区民部", Ka = "戸籍住民課" };
        var procedure = new Procedure
        {
            Code = "KT-BENCH-0001",
            Name = "住民票の写しの交付申請",
            Layout = InventoryLayout.Municipal,
            Department = department,
            OnlineEligible = true,
            Status = OnlineStatus.Done,
            ProcedureType = "申請",
            Actor = "個人",
            StandardProcessingDays = 10,
        };
        db.AddRange(department, procedure);
        await db.SaveChangesAsync(ct);
        procedureId = procedure.Id;
        var forms = sp.GetRequiredService<FormService>();
        await forms.ImportAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "form.json"), ct), procedure.Code, "bench", ct);
        await forms.PublishAsync("bench-ledger", "bench", ct);
        var staff = await StaffAccounts.CreateAsync(sp, email, password, Roles.Staff, department.Id, "台帳 太郎");
        var colleague = await StaffAccounts.CreateAsync(sp, "ledger-bench-2@example.jp", DemoData.GeneratePassword(), Roles.Staff, department.Id, "窓口 花子");
        await Seed.RunAsync(db, procedureId, [staff.Id, colleague.Id], rows, ct);
        if (export) token = (await sp.GetRequiredService<ApiTokens>().CreateAsync(staff, "bench", "cases:read", null, ct)).Secret;
    }
    seedWatch.Stop();
    Console.Error.WriteLine($"seeded {rows:N0} cases in {seedWatch.Elapsed.TotalSeconds:0.0} s");

    await app.StartAsync(ct);
    var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true };
    using var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
    await Http.SignInAsync(client, email, password, ct);

    await using DbConnection bare = pgDatabase is not null ? new NpgsqlConnection(storage.ConnectionString) : new SqliteConnection(storage.ConnectionString);
    await bare.OpenAsync(ct);
    if (export)
    {
        LedgerProcedure procedure;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            procedure = await LedgerSource.LoadAsync(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>(), procedureId, ct);
        }
        if (exportParts)
        {
            await ExportBench.PartsAsync(app.Services, client, token!, (SqliteConnection)bare, procedure, rows, work, ct);
            await app.StopAsync(ct);
            return 0;
        }
        var exported = await ExportBench.RunAsync(client, token!, (SqliteConnection)bare, procedure, rows, work, ct);
        await app.StopAsync(ct);
        Console.WriteLine(exported);
        if (output is not null) ExportBench.Update(output, exported);
        return 0;
    }
    // The cursor of a deep page: the row half-way down the ledger, newest first.
    var deep = await Bare.RowAtAsync(bare, procedureId, rows / 2, ct);
    var deepCursor = LedgerQuery.Encode(deep, LedgerSort.Newest);

    var scenarios = new List<Scenario>
    {
        new("first page, newest first", "", null, null),
        new($"deep page (after row {rows / 2:N0}) via cursor", "after=" + Uri.EscapeDataString(deepCursor), null, deep),
        new("filtered: status 審査中 + channel オンライン", "Filter.Status=reviewing&Filter.Channel=online", (CaseWorkflow.Reviewing, "online"), null),
        new("filtered, deep page via cursor", "Filter.Status=reviewing&Filter.Channel=online&after=" + Uri.EscapeDataString(deepCursor), (CaseWorkflow.Reviewing, "online"), deep),
    };
    // Warm-up: every path the runs time, alternated for --warmup seconds, so that the runtime has
    // compiled the hot code with full optimisation (tiered JIT) before any run is timed; a few requests
    // leave the page's per-row code in its quick first-tier form.
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < warmup)
    {
        foreach (var s in scenarios)
        {
            await Http.GetAsync(client, $"/staff/ledger/{procedureId}" + (s.Query.Length > 0 ? "?" + s.Query : ""), ct);
            await AppRowsAsync(s);
            await Bare.PageAsync(bare, procedureId, s.Filter, s.After, ct);
        }
        await Http.GetAsync(client, "/staff", ct);
    }
    if (breakdown)
    {
        await DbTimings.PrintAsync(client, (SqliteConnection)bare, [("staff home", "/staff"), .. scenarios.Select(s => (s.Name, $"/staff/ledger/{procedureId}" + (s.Query.Length > 0 ? "?" + s.Query : "")))], runs, ct);
        await app.StopAsync(ct);
        return 0;
    }
    var plans = new List<string>();
    var results = new List<(Scenario Scenario, double Page, double Rows, double Bare, int Count)>();
    var sizes = new List<int>();
    // The page's rows as the ledger page reads them: a request's own DbContext, the filter, the cursor,
    // LedgerQuery's keyset query with the answers (EF Core), no HTTP, sign-in, audit or rendering.
    async Task<IReadOnlyList<Guid>> AppRowsAsync(Scenario s)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var filter = s.Filter is { } f ? new LedgerFilter { Status = f.Status, Channel = f.Channel } : new LedgerFilter();
        var q = LedgerQuery.Where(db.Cases.Where(c => c.ProcedureId == procedureId), filter, null, DateOnly.FromDateTime(DateTime.UtcNow), null, null);
        var page = await LedgerQuery.PageAsync(q, db.Submissions, LedgerSort.Newest, s.After is null ? null : deepCursor, null, 50, ct);
        return [.. page.Rows.Select(r => r.Id)];
    }
    foreach (var s in scenarios)
    {
        var url = $"/staff/ledger/{procedureId}" + (s.Query.Length > 0 ? "?" + s.Query : "");
        // Same rows from all three, checked before timing.
        var html = await Http.GetAsync(client, url, ct);
        var ids = Http.Rows(html);
        sizes.Add(Encoding.UTF8.GetByteCount(html));
        var bareIds = await Bare.PageAsync(bare, procedureId, s.Filter, s.After, ct);
        var appIds = await AppRowsAsync(s);
        if (!ids.SequenceEqual(bareIds) || !appIds.SequenceEqual(bareIds)) throw new InvalidOperationException($"{s.Name}: the page, the app's query and the bare query return different rows ({ids.Count}, {appIds.Count}, {bareIds.Count}).");
        plans.Add($"{s.Name}: " + await Bare.PlanAsync(bare, procedureId, s.Filter, s.After, ct));
        for (var w = 0; w < 5; w++)
        {
            await Http.GetAsync(client, url, ct);
            await AppRowsAsync(s);
            await Bare.PageAsync(bare, procedureId, s.Filter, s.After, ct);
        }
        var pageTimes = new List<double>();
        var rowTimes = new List<double>();
        var bareTimes = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            // Alternated, so that drift on a shared machine hits all alike.
            var w1 = Stopwatch.StartNew();
            await Http.GetAsync(client, url, ct);
            pageTimes.Add(w1.Elapsed.TotalMilliseconds);
            var w2 = Stopwatch.StartNew();
            await AppRowsAsync(s);
            rowTimes.Add(w2.Elapsed.TotalMilliseconds);
            var w3 = Stopwatch.StartNew();
            await Bare.PageAsync(bare, procedureId, s.Filter, s.After, ct);
            bareTimes.Add(w3.Elapsed.TotalMilliseconds);
        }
        results.Add((s, Median(pageTimes), Median(rowTimes), Median(bareTimes), ids.Count));
        Console.Error.WriteLine($"{s.Name}: page {Median(pageTimes):0.00} ms, rows {Median(rowTimes):0.00} ms, bare {Median(bareTimes):0.00} ms");
    }
    // For context: a signed-in page with no data of its own (the staff home), through the same stack.
    for (var w = 0; w < 5; w++) await Http.GetAsync(client, "/staff", ct);
    var homeTimes = new List<double>();
    for (var r = 0; r < runs; r++)
    {
        var w1 = Stopwatch.StartNew();
        await Http.GetAsync(client, "/staff", ct);
        homeTimes.Add(w1.Elapsed.TotalMilliseconds);
    }
    await app.StopAsync(ct);

    var markdown = Report.Markdown(rows, runs, warmup, pgDatabase is not null, seedWatch.Elapsed, results, Median(homeTimes), sizes, plans);
    Console.WriteLine(markdown);
    if (output is not null) Report.Update(output, markdown, pgDatabase is not null);
    return 0;
}
finally
{
    SqliteConnection.ClearAllPools();
    if (pgDatabase is not null) await pgDatabase.DropAsync();
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

internal sealed record Scenario(string Name, string Query, (string Status, string Channel)? Filter, LedgerRow? After);

/// <summary>Realistic cases written fast: prepared inserts (the app's own PreparedInsert) in a few transactions.</summary>
internal static class Seed
{
    private static readonly string[] Families = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"];
    private static readonly string[] FamilyKana = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ", "ヤマダ", "ササキ", "ヤマグチ", "マツモト", "イノウエ", "キムラ", "ハヤシ", "サイトウ", "シミズ"];
    private static readonly string[] Givens = ["花子", "太郎", "陽菜", "蓮", "結衣", "大翔", "美咲", "翔太", "葵", "健一"];
    private static readonly string[] GivenKana = ["ハナコ", "タロウ", "ヒナ", "レン", "ユイ", "ヒロト", "ミサキ", "ショウタ", "アオイ", "ケンイチ"];
    private static readonly string[] Towns = ["東陽", "豊洲", "亀戸", "大島", "南砂", "北砂", "深川", "門前仲町", "木場", "有明"];

    public static async Task RunAsync(MadoguchiDbContext db, Guid procedureId, string[] staff, int count, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().SingleAsync(ct);
        var version = await db.FormVersions.AsNoTracking().SingleAsync(v => v.FormId == form.Id, ct);
        var definition = await PublishedDefinitions.GetAsync(db, version.Id, ct);
        var calendar = new BusinessCalendar([]);
        var random = new Random(7);
        var start = new DateTimeOffset(2023, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var span = TimeSpan.FromDays(3 * 365);
        var submissions = new PreparedInsert<Submission>(db);
        var cases = new PreparedInsert<Case>(db);
        var events = new PreparedInsert<CaseEvent>(db);
        const int batch = 50_000;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("bench")));
        for (var first = 0; first < count; first += batch)
        {
            var n = Math.Min(batch, count - first);
            var s = new List<Submission>(n);
            var c = new List<Case>(n);
            var e = new List<CaseEvent>(n);
            for (var i = first; i < first + n; i++)
            {
                // Spread over three years, in order, a few seconds apart on average (some share a second).
                var at = start + TimeSpan.FromSeconds(Math.Floor(span.TotalSeconds * i / count));
                var f = random.Next(Families.Length);
                var g = random.Next(Givens.Length);
                var answers = new JsonObject
                {
                    ["applicantName"] = new JsonObject { ["family"] = Families[f], ["given"] = Givens[g], ["familyKana"] = FamilyKana[f], ["givenKana"] = GivenKana[g] },
                    ["birthDate"] = new DateOnly(1940, 1, 1).AddDays(random.Next(30_000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["postcode"] = "135-0016",
                    ["address"] = $"東京都江東区{Towns[random.Next(Towns.Length)]}{random.Next(1, 8)}丁目{random.Next(1, 30)}番{random.Next(1, 20)}号",
                    ["phone"] = $"03-{random.Next(1000, 9999)}-{random.Next(1000, 9999)}",
                    ["email"] = $"user{i}@example.jp",
                    ["purpose"] = (random.Next(3)) switch { 0 => "job", 1 => "bank", _ => "other" },
                    ["copies"] = random.Next(1, 4),
                    ["note"] = random.Next(4) == 0 ? "窓口での受け取りを希望します。" : "",
                };
                var json = answers.ToJsonString();
                var id = Guid.CreateVersion7(at);
                var receivedOn = JapanTime.DateOf(at);
                var roll = random.Next(100);
                var status = roll < 60 ? CaseWorkflow.Completed : roll < 80 ? CaseWorkflow.Received : roll < 95 ? CaseWorkflow.Reviewing : CaseWorkflow.Correction;
                var closed = status == CaseWorkflow.Completed ? at.AddDays(random.Next(1, 14)) : (DateTimeOffset?)null;
                var channelRoll = random.Next(100);
                s.Add(new Submission
                {
                    Id = id,
                    FormId = form.Id,
                    FormVersionId = version.Id,
                    FormVersionNumber = version.Number,
                    ReceiptNumber = $"BN{i:D9}",
                    SecretHash = hash,
                    AnswersJson = json,
                    SubmittedAt = at,
                    Channel = "web",
                });
                c.Add(new Case
                {
                    Id = id,
                    Sequence = i + 1,
                    ProcedureId = procedureId,
                    FormId = form.Id,
                    ReceiptNumber = $"BN{i:D9}",
                    Channel = channelRoll < 80 ? CaseChannel.Online : channelRoll < 95 ? CaseChannel.Counter : CaseChannel.Mail,
                    Status = status,
                    AssigneeId = random.Next(3) == 0 ? null : staff[random.Next(staff.Length)],
                    ReceivedAt = at,
                    ReceivedOn = receivedOn,
                    DueOn = CaseClock.DueOn(calendar, receivedOn, 10),
                    ClockStoppedOn = status == CaseWorkflow.Correction ? receivedOn.AddDays(3) : null,
                    OpenedAt = random.Next(10) == 0 ? null : at.AddHours(2),
                    ClosedAt = closed,
                    ClosedOn = closed is { } x ? JapanTime.DateOf(x) : null,
                    SearchText = CaseIntake.SearchText(definition, answers),
                    UpdatedAt = at,
                });
                e.Add(new CaseEvent { CaseId = id, At = at, Kind = CaseEventKinds.Created, ActorName = "申請者", ToStatus = CaseWorkflow.Received, Public = true });
            }
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await submissions.InsertAsync(db, s, ct);
            await cases.InsertAsync(db, c, ct);
            await events.InsertAsync(db, e, ct);
            await transaction.CommitAsync(ct);
            Console.Error.WriteLine($"  {first + n:N0} cases");
        }
        await db.Database.ExecuteSqlRawAsync("ANALYZE", ct);
    }
}

internal static partial class Http
{
    public static async Task<string> GetAsync(HttpClient client, string url, CancellationToken ct)
    {
        using var response = await client.GetAsync(url, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {response.Headers.Location}");
        return body;
    }

    public static async Task SignInAsync(HttpClient client, string email, string password, CancellationToken ct)
    {
        await PostAsync(client, "/staff/signin", new() { ["Input.Email"] = email, ["Input.Password"] = password }, ct);
        var enrol = await GetAsync(client, "/staff/signin/enrol", ct);
        var key = TotpKey().Match(enrol).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        await PostAsync(client, "/staff/signin/enrol", new() { ["Input.Code"] = Totp(key, DateTimeOffset.UtcNow) }, ct);
        await GetAsync(client, "/staff", ct);
    }

    private static async Task PostAsync(HttpClient client, string url, Dictionary<string, string> fields, CancellationToken ct)
    {
        var page = await GetAsync(client, url, ct);
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(Token().Match(page).Groups[1].Value);
        using var response = await client.PostAsync(url, new FormUrlEncodedContent(fields), ct);
        if ((int)response.StatusCode >= 400) throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode}");
    }

    public static IReadOnlyList<Guid> Rows(string html) => [.. RowPattern().Matches(html).Select(m => Guid.Parse(m.Groups[1].Value))];

    private static string Totp(string base32, DateTimeOffset at)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var ch in base32.TrimEnd('='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(ch, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        var counter = at.ToUnixTimeSeconds() / 30;
        var msg = new byte[8];
        for (var i = 7; i >= 0; i--, counter >>= 8) msg[i] = (byte)(counter & 0xff);
        var h = HMACSHA1.HashData(bytes.ToArray(), msg);
        var o = h[^1] & 0x0f;
        var code = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
        return (code % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("data-testid=\"totp-key\">([A-Z2-7 ]+)<")]
    private static partial Regex TotpKey();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<tr data-case=\"([0-9a-f-]{36})\"")]
    private static partial Regex RowPattern();
}

/// <summary>The same page as bare ADO.NET: one keyset SELECT joined to the submissions for the answers, read to the end.</summary>
internal static class Bare
{
    private static readonly DateTimeOffsetToBinaryConverter Instant = new();

    private static string Sql(bool filtered, bool after, string select) => $"""
        SELECT {select}
        FROM "Cases" AS c JOIN "Submissions" AS s ON s."Id" = c."Id"
        WHERE c."ProcedureId" = @p
        {(filtered ? "AND c.\"Status\" = @status AND c.\"Channel\" = @channel" : "")}
        {(after ? "AND c.\"ReceivedAt\" <= @at AND (c.\"ReceivedAt\" < @at OR (c.\"ReceivedAt\" = @at AND c.\"Id\" < @id))" : "")}
        ORDER BY c."ReceivedAt" DESC, c."Id" DESC
        LIMIT 50
        """;

    private const string Columns = """c."Id", c."ReceiptNumber", c."Channel", c."Status", c."AssigneeId", c."ReceivedAt", c."DueOn", c."ClockStoppedOn", c."OpenedAt", c."ClosedAt", COALESCE(c."AnswersJson", s."AnswersJson")""";

    // The two engines store keys and instants as the app's model maps them: PostgreSQL uuid and
    // timestamptz; SQLite upper-case text and the instant's binary form (a long).
    private static object Key(DbConnection connection, Guid id) => connection is NpgsqlConnection ? id : id.ToString().ToUpperInvariant();

    private static object At(DbConnection connection, DateTimeOffset at) => connection is NpgsqlConnection ? at.ToUniversalTime() : Instant.ConvertToProvider(at)!;

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static DbCommand Command(DbConnection connection, string sql, Guid procedureId, (string Status, string Channel)? filter, LedgerRow? after)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        Add(cmd, "@p", Key(connection, procedureId));
        if (filter is { } f)
        {
            Add(cmd, "@status", f.Status);
            Add(cmd, "@channel", f.Channel);
        }
        if (after is { } a)
        {
            Add(cmd, "@at", At(connection, a.ReceivedAt));
            Add(cmd, "@id", Key(connection, a.Id));
        }
        return cmd;
    }

    public static async Task<IReadOnlyList<Guid>> PageAsync(DbConnection connection, Guid procedureId, (string, string)? filter, LedgerRow? after, CancellationToken ct)
    {
        await using var cmd = Command(connection, Sql(filter is not null, after is not null, Columns), procedureId, filter, after);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var ids = new List<Guid>(50);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
            for (var i = 1; i < reader.FieldCount; i++) _ = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
        return ids;
    }

    public static async Task<string> PlanAsync(DbConnection connection, Guid procedureId, (string, string)? filter, LedgerRow? after, CancellationToken ct)
    {
        var postgres = connection is NpgsqlConnection;
        await using var cmd = Command(connection, (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + Sql(filter is not null, after is not null, Columns), procedureId, filter, after);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var steps = new List<string>();
        while (await reader.ReadAsync(ct)) steps.Add(postgres ? Regex.Replace(reader.GetString(0).Trim(), @"\s*\(cost=[^)]*\)", "") : reader.GetString(3));
        return string.Join("; ", steps);
    }

    public static async Task<LedgerRow> RowAtAsync(DbConnection connection, Guid procedureId, int offset, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """SELECT "Id", "ReceivedAt" FROM "Cases" WHERE "ProcedureId" = @p ORDER BY "ReceivedAt" DESC, "Id" DESC LIMIT 1 OFFSET @o""";
        Add(cmd, "@p", Key(connection, procedureId));
        Add(cmd, "@o", offset);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var at = connection is NpgsqlConnection ? reader.GetFieldValue<DateTimeOffset>(1) : (DateTimeOffset)Instant.ConvertFromProvider(reader.GetInt64(1))!;
        return new LedgerRow(reader.GetGuid(0), "", CaseChannel.Online, "", null, at, null, null, null, null, Guid.Empty, null);
    }
}

/// <summary>--postgres: a database of the bench's own on the given server, dropped at the end.</summary>
internal sealed class PgDatabase(string admin, string name, string url)
{
    public string Url { get; } = url;

    public static async Task<PgDatabase> CreateAsync(string serverUrl, string name, CancellationToken ct)
    {
        var admin = Storage.PostgresUrlToConnectionString(serverUrl);
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var uri = new UriBuilder(serverUrl) { Path = "/" + name };
        return new PgDatabase(admin, name, uri.Uri.ToString());
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

internal static class Report
{
    public static string Markdown(int rows, int runs, int warmup, bool postgres, TimeSpan seed, List<(Scenario Scenario, double Page, double Rows, double Bare, int Count)> results, double home, List<int> sizes, List<string> plans)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var engine = postgres ? "PostgreSQL (synchronous_commit=on, over TCP on the same machine)" : "SQLite (WAL, synchronous=FULL)";
        sb.AppendLine(inv, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (load average at start: {Load()}), .NET {Environment.Version}, {engine}.");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `dotnet run -c Release --project bench/ledger -- --rows {rows} --runs {runs} --warmup {warmup}{(postgres ? " --postgres URL" : "")}`; {rows:N0} cases of one procedure seeded in {seed.TotalSeconds:0} s; every path warmed up for {warmup} s before the timed runs.");
        sb.AppendLine();
        sb.AppendLine("| Ledger page (50 rows), median of warm runs | bare keyset query | **the page's rows through the app** (LedgerQuery, EF Core) | **ratio** (aim ≤ 3×) | whole HTTP GET of the page (sign-in, audit, HTML) | its ratio |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (s, page, app, bare, n) in results)
        {
            sb.AppendLine(inv, $"| {s.Name} ({n} rows) | {bare:0.00} ms | {app:0.00} ms | **{app / bare:0.0}×** | {page:0.00} ms | {page / bare:0.0}× |");
        }
        sb.AppendLine();
        sb.AppendLine(inv, $"For context, the staff home page (signed in, no data of its own) through the same stack: {home:0.00} ms (median of {runs}). The ledger page is {sizes.Min() / 1024.0:0} to {sizes.Max() / 1024.0:0} KB of HTML.");
        sb.AppendLine();
        sb.AppendLine(postgres ? "Query plans of the bare query (PostgreSQL `EXPLAIN`, costs left out):" : "Query plans of the bare query (SQLite `EXPLAIN QUERY PLAN`):");
        sb.AppendLine();
        foreach (var p in plans) sb.AppendLine(inv, $"- {p}");
        return sb.ToString();
    }

    private static string Load()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }

    /// <summary>Replaces the section between the engine's markers (ledger or ledger-postgres).</summary>
    public static void Update(string path, string markdown, bool postgres)
    {
        var (start, end) = postgres ? ("<!-- ledger-postgres:start -->", "<!-- ledger-postgres:end -->") : ("<!-- ledger:start -->", "<!-- ledger:end -->");
        var text = File.ReadAllText(path);
        var a = text.IndexOf(start, StringComparison.Ordinal);
        var b = text.IndexOf(end, StringComparison.Ordinal);
        if (a < 0 || b < a) throw new InvalidOperationException($"{path} has no {start} … {end} section.");
        File.WriteAllText(path, text[..(a + start.Length)] + "\n" + markdown + text[b..]);
    }
}


/// <summary>
/// --breakdown: where a request's time goes. EF Core's diagnostic events (same process) give each
/// command's time (a reader from execution to disposal), transaction begin and commit; the rest of
/// the request is the HTTP pipeline, the page's own work and rendering. Printed for the median request.
/// </summary>
internal sealed class DbTimings : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private readonly List<(string What, double Ms)> _events = [];
    private bool _on;

    private readonly List<(string Sql, (string Name, object? Value)[] Parameters)> _cases = [];

    public static async Task PrintAsync(HttpClient client, SqliteConnection connection, IEnumerable<(string Name, string Url)> pages, int runs, CancellationToken ct)
    {
        var timings = new DbTimings();
        using var subscription = DiagnosticListener.AllListeners.Subscribe(timings);
        foreach (var (name, url) in pages)
        {
            for (var w = 0; w < 5; w++) await Http.GetAsync(client, url, ct);
            var samples = new List<(double Total, List<(string What, double Ms)> Events)>();
            for (var r = 0; r < runs; r++)
            {
                lock (timings._events) { timings._events.Clear(); timings._on = true; }
                var watch = Stopwatch.StartNew();
                await Http.GetAsync(client, url, ct);
                var total = watch.Elapsed.TotalMilliseconds;
                lock (timings._events) { timings._on = false; samples.Add((total, [.. timings._events])); }
            }
            var median = samples.OrderBy(x => x.Total).ElementAt(samples.Count / 2);
            var db = median.Events.Sum(e => e.Ms);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {name}: {median.Total:0.00} ms, database {db:0.00} ms in {median.Events.Count} events, rest {median.Total - db:0.00} ms"));
            foreach (var (what, ms) in median.Events) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {ms,7:0.00} ms  {what}"));
            // The plan SQLite chose for the page's own reads of the cases (the last request's).
            List<(string Sql, (string Name, object? Value)[] Parameters)> reads;
            lock (timings._events) { reads = [.. timings._cases]; timings._cases.Clear(); }
            foreach (var (sql, parameters) in reads.TakeLast(2))
            {
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
                foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                var steps = new List<string>();
                while (await reader.ReadAsync(ct)) steps.Add(reader.GetString(3));
                Console.WriteLine("   plan: " + string.Join("; ", steps) + "  ← " + Short(sql));
            }
        }
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name) value.Subscribe(this);
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        (string, TimeSpan)? e = value.Value switch
        {
            DataReaderDisposingEventData r => ("read  " + Short(r.Command.CommandText), r.Duration),
            CommandExecutedEventData c when c.ExecuteMethod != DbCommandMethod.ExecuteReader => (c.ExecuteMethod + " " + Short(c.Command.CommandText), c.Duration),
            TransactionEndEventData t when value.Key == RelationalEventId.TransactionCommitted.Name => ("COMMIT", t.Duration),
            TransactionEndEventData t when value.Key == RelationalEventId.TransactionStarted.Name => ("BEGIN", t.Duration),
            ConnectionEndEventData c when value.Key == RelationalEventId.ConnectionOpened.Name => ("open connection", c.Duration),
            _ => null,
        };
        if (e is not { } x) return;
        if (value.Value is DataReaderDisposingEventData d && d.Command.CommandText.Contains("FROM \"Cases\"", StringComparison.Ordinal))
        {
            lock (_events)
            {
                if (_on) _cases.Add((d.Command.CommandText, [.. d.Command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => (p.ParameterName, p.Value))]));
            }
        }
        lock (_events)
        {
            if (_on) _events.Add((x.Item1, x.Item2.TotalMilliseconds));
        }
    }

    private static string Short(string sql)
    {
        var one = Regex.Replace(sql, @"\s+", " ").Trim();
        return one.Length <= 150 ? one : one[..150] + "…";
    }

    public void OnError(Exception error) { }
    public void OnCompleted() { }
}
