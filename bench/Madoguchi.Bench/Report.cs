using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Insight;

namespace Madoguchi.Bench;

internal sealed record BenchResult(
    BenchOptions Options, int Procedures, int BareRows, Measurement Import, Measurement Bare,
    double KpiMs, double BareKpiMs, int Total, int Eligible, int Online, bool KpiSame)
{
    public double ImportRate => Procedures / Import.Elapsed.TotalSeconds;
    public double BareRate => Procedures / Bare.Elapsed.TotalSeconds;
    public double ImportRatio => ImportRate / BareRate;
    public double KpiRatio => KpiMs / BareKpiMs;
}

/// <summary>Checks that the service and the bare GROUP BY count the same procedures.</summary>
internal static class KpiCheck
{
    public static bool Same(OnlineKpi kpi, List<BareKpi.Row> rows, out string difference)
    {
        var totals = (rows.Sum(r => r.Total), rows.Sum(r => r.Eligible), rows.Sum(r => r.Online));
        if (totals != (kpi.Total, kpi.Eligible, kpi.Online))
        {
            difference = $"totals {totals} vs service ({kpi.Total}, {kpi.Eligible}, {kpi.Online})";
            return false;
        }
        var bare = rows.Where(r => r.PlanFiscalYear is not null && r.Eligible > 0)
            .GroupBy(r => (Year: PlanBuckets.Of(r.PlanFiscalYear!.Value), Tool: r.Tool.Trim().Length == 0 ? OnlineKpiService.NoTool : r.Tool.Trim()))
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.Eligible), g.Sum(r => r.Online)));
        var service = kpi.ByPlanYearAndTool.ToDictionary(t => (Year: t.FiscalYear, t.Tool), t => (t.Planned, t.Done));
        var differing = bare.Where(kv => !service.TryGetValue(kv.Key, out var s) || s != kv.Value).Select(kv => kv.Key)
            .Concat(service.Keys.Where(k => !bare.ContainsKey(k))).ToList();
        difference = differing.Count == 0 ? "" : "plan year/tool groups differ: " + string.Join(", ", differing);
        return differing.Count == 0;
    }
}

/// <summary>Writes the results as Markdown, and replaces the results section of docs/benchmarks.md.</summary>
internal static class Report
{
    public const string Begin = "<!-- bench:results -->";
    public const string End = "<!-- /bench:results -->";

    public static string Markdown(BenchResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var engine = r.Options.Engine == StorageEngine.Sqlite ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL";
        var command = "dotnet run -c Release --project bench/Madoguchi.Bench -- --rows " + r.Options.Rows.ToString(c)
            + (r.Options.Engine == StorageEngine.Postgres ? " --engine postgres --pg postgres://USER@127.0.0.1:PORT/postgres" : "");
        var s = new StringBuilder();
        s.AppendLine(c, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {Memory()} memory, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {engine}.");
        s.AppendLine();
        s.AppendLine(c, $"Command: `{command}`");
        s.AppendLine();
        s.AppendLine("| Measure | Madoguchi | Bare baseline | Ratio | Target | Met |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: | :---: |");
        s.AppendLine(c, $"| Import of {r.Procedures:N0} procedures, procedures/s | {r.ImportRate:N0} ({r.Import.Elapsed.TotalSeconds:0.00} s) | {r.BareRate:N0} ({r.Bare.Elapsed.TotalSeconds:0.00} s) | {r.ImportRatio:0.00}× | ≥ 0.30× | {(r.ImportRatio >= 0.3 ? "yes" : "no")} |");
        s.AppendLine(c, $"| Import: allocated | {Mb(r.Import.AllocatedBytes)} | {Mb(r.Bare.AllocatedBytes)} | | | |");
        s.AppendLine(c, $"| Import: peak working set | {Mb(r.Import.PeakWorkingSet)} | {Mb(r.Bare.PeakWorkingSet)} | | | |");
        s.AppendLine(c, $"| KPI `OnlineAsync` vs GROUP BY, median of {r.Options.KpiRuns} warm runs | {r.KpiMs:0.0} ms | {r.BareKpiMs:0.0} ms | {r.KpiRatio:0.00}× | ≤ 3× | {(r.KpiRatio <= 3 ? "yes" : "no")} |");
        s.AppendLine();
        s.AppendLine(c, $"Rows written by the baseline: {r.BareRows:N0} (procedures, volumes, history entries). KPI counts: {r.Total:N0} procedures, {r.Eligible:N0} eligible, {r.Online:N0} online; service and GROUP BY {(r.KpiSame ? "agree" : "DISAGREE")}.");
        return s.ToString();
    }

    public static void Update(string path, string markdown)
    {
        var section = Begin + "\n" + markdown.TrimEnd() + "\n" + End;
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\n## Results\n\n" + Begin + "\n" + End + "\n";
        int start = text.IndexOf(Begin, StringComparison.Ordinal), end = text.IndexOf(End, StringComparison.Ordinal);
        text = start >= 0 && end > start
            ? string.Concat(text.AsSpan(0, start), section, text.AsSpan(end + End.Length))
            : text.TrimEnd() + "\n\n## Results\n\n" + section + "\n";
        File.WriteAllText(path, text);
        Console.Error.WriteLine("results written to " + path);
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";

    private static string Memory()
    {
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (total / 1024.0 / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " GiB";
    }
}
