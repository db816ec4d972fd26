using System.Globalization;
using Madoguchi.Bench;
using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog.Import;
using Madoguchi.Web.Features.Insight;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Import and KPI benchmarks (DESIGN.md §5): each figure is a ratio against a bare baseline
// measured in the same run on the same machine, so it holds on a noisy machine.
var options = BenchOptions.Parse(args);
if (options is null) return 2;
var ct = CancellationToken.None;
var work = Path.Combine(Path.GetTempPath(), "madoguchi-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var databases = new List<Storage>();
try
{
    const int fiscalYear = 2024;
    var asOf = new DateOnly(2025, 3, 31);
    var csv = Path.Combine(work, "inventory.csv");
    InventoryGenerator.Write(csv, options.Rows);
    Console.Error.WriteLine($"inventory: {options.Rows:N0} rows, {new FileInfo(csv).Length / 1024.0 / 1024.0:0.0} MB, engine {options.Engine}");

    async Task<Storage> FreshAsync(string name)
    {
        var storage = await Databases.CreateAsync(options, work, name, ct);
        databases.Add(storage);
        await DataModule.MigrateAsync(storage, ct);
        return storage;
    }

    async Task<ImportPlan> ImportAsync(Storage storage, string path)
    {
        await using var app = MadoguchiApp.Create([], storage, quiet: true);
        await using var scope = app.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<InventoryImporter>();
        var plan = await importer.ImportAsync(path, new ImportOptions { VolumesFiscalYear = fiscalYear }, ct);
        if (!plan.Applied) throw new InvalidOperationException("import failed: " + string.Join("; ", plan.Errors.Take(5)));
        return plan;
    }

    // Warm-up on small files so JIT and EF model building are not timed on either side.
    var warm = Path.Combine(work, "warm.csv");
    InventoryGenerator.Write(warm, 500, seed: 1);
    await BareImport.RunAsync(await FreshAsync("warm-bare"), warm, fiscalYear, ct);
    await ImportAsync(await FreshAsync("warm-import"), warm);

    var bareDb = await FreshAsync("bare");
    var (bareRows, bare) = await Measurement.RunAsync(() => BareImport.RunAsync(bareDb, csv, fiscalYear, ct));
    var importDb = await FreshAsync("import");
    var (plan, import) = await Measurement.RunAsync(() => ImportAsync(importDb, csv));
    Console.Error.WriteLine($"import: {import.Elapsed.TotalSeconds:0.00} s, bare: {bare.Elapsed.TotalSeconds:0.00} s");

    // KPI: warm runs on the imported database, median of N; each service call gets its own scope, as a request does.
    await using var kpiApp = MadoguchiApp.Create([], importDb, quiet: true);
    async Task<OnlineKpi> KpiAsync()
    {
        await using var scope = kpiApp.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OnlineKpiService>().OnlineAsync(asOf, null, ct);
    }
    await using var bareConnection = await BareKpi.OpenAsync(importDb, ct);
    OnlineKpi kpi = null!;
    List<BareKpi.Row> bareKpi = null!;
    for (var i = 0; i < 3; i++)
    {
        kpi = await KpiAsync();
        bareKpi = await BareKpi.RunAsync(bareConnection, asOf, ct);
    }
    var kpiTimes = new List<double>();
    var bareKpiTimes = new List<double>();
    // Alternate the two so drift on a shared machine hits both alike.
    for (var i = 0; i < options.KpiRuns; i++)
    {
        kpiTimes.Add((await Measurement.RunAsync(KpiAsync)).Measurement.Elapsed.TotalMilliseconds);
        bareKpiTimes.Add((await Measurement.RunAsync(() => BareKpi.RunAsync(bareConnection, asOf, ct))).Measurement.Elapsed.TotalMilliseconds);
    }
    var same = KpiCheck.Same(kpi, bareKpi, out var difference);
    if (!same) Console.Error.WriteLine("KPI MISMATCH: " + difference);

    var result = new BenchResult(options, plan.Added.Count, bareRows, import, bare,
        Median(kpiTimes), Median(bareKpiTimes), kpi.Total, kpi.Eligible, kpi.Online, same);
    var markdown = Report.Markdown(result);
    Console.WriteLine(markdown);
    if (options.Out is { } outPath) Report.Update(outPath, markdown);
    return same ? 0 : 1;
}
finally
{
    SqliteConnectionPools.Clear();
    NpgsqlConnection.ClearAllPools();
    foreach (var storage in databases) await Databases.DropAsync(options, storage);
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

internal static class SqliteConnectionPools
{
    public static void Clear() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
}

internal sealed record BenchOptions(int Rows, StorageEngine Engine, string? Postgres, string? Out, int KpiRuns)
{
    public static BenchOptions? Parse(string[] args)
    {
        int rows = 100_000, kpiRuns = 21;
        string? engine = "sqlite", pg = null, output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--rows" when int.TryParse(value, CultureInfo.InvariantCulture, out rows) && rows > 0: i++; break;
                case "--kpi-runs" when int.TryParse(value, CultureInfo.InvariantCulture, out kpiRuns) && kpiRuns > 0: i++; break;
                case "--engine" when value is "sqlite" or "postgres": engine = value; i++; break;
                case "--pg" when value is not null: pg = value; i++; break;
                case "--out" when value is not null: output = value; i++; break;
                default:
                    Console.Error.WriteLine($"unknown or invalid argument '{args[i]}'.\nusage: --rows N (default 100000) --kpi-runs N (default 21) --engine sqlite|postgres --pg postgres://user@127.0.0.1:5432/postgres --out docs/benchmarks.md");
                    return null;
            }
        }
        if (engine == "postgres" && pg is null)
        {
            Console.Error.WriteLine("--engine postgres needs --pg postgres://user@host:port/db (a server on which the bench may create and drop databases).");
            return null;
        }
        return new BenchOptions(rows, engine == "postgres" ? StorageEngine.Postgres : StorageEngine.Sqlite, pg, output, kpiRuns);
    }
}

internal static class Databases
{
    /// <summary>A new SQLite file in the work folder, or a new database on the PostgreSQL server.</summary>
    public static async Task<Storage> CreateAsync(BenchOptions options, string work, string name, CancellationToken ct)
    {
        if (options.Engine == StorageEngine.Sqlite) return Storage.Parse(Path.Combine(work, name + ".db"));
        var database = "madoguchi_bench_" + name.Replace('-', '_') + "_" + Guid.NewGuid().ToString("N")[..8];
        await using (var conn = new NpgsqlConnection(Storage.PostgresUrlToConnectionString(options.Postgres!)))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return Storage.Parse(new UriBuilder(options.Postgres!) { Path = "/" + database }.Uri.ToString(), Path.Combine(work, name + ".files"));
    }

    public static async Task DropAsync(BenchOptions options, Storage storage)
    {
        if (storage.Engine != StorageEngine.Postgres) return;
        var database = new NpgsqlConnectionStringBuilder(storage.ConnectionString).Database;
        await using var conn = new NpgsqlConnection(Storage.PostgresUrlToConnectionString(options.Postgres!));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
