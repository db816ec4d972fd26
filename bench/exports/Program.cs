using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Madoguchi.Bench.Exports;
using Madoguchi.Web.Features.Exports;
using MiniExcelLibs;

// Export benchmark (DESIGN.md §5): Madoguchi's writer against the bare library writing the same rows,
// each case in its own process so that peak memory (VmHWM) belongs to that case alone.
var rows = 300_000;
string? only = null, outPath = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows": rows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--case": only = args[++i]; break;
        case "--out": outPath = args[++i]; break;
        default: Console.Error.WriteLine("usage: [--rows N] [--out docs/benchmarks.md]"); return 2;
    }
}
Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

if (only is not null)
{
    Console.WriteLine(JsonSerializer.Serialize(await Cases.RunAsync(only, rows)));
    return 0;
}

var results = new Dictionary<string, Result>();
foreach (var name in Cases.Names)
{
    var exe = Environment.ProcessPath!;
    var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true };
    // Under `dotnet run` the app host is the process; under `dotnet X.dll` the dll comes first.
    if (Path.GetFileNameWithoutExtension(exe) == "dotnet") start.ArgumentList.Add(typeof(Cases).Assembly.Location);
    foreach (var a in new[] { "--case", name, "--rows", rows.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
    using var child = Process.Start(start)!;
    var output = await child.StandardOutput.ReadToEndAsync();
    await child.WaitForExitAsync();
    if (child.ExitCode != 0) throw new InvalidOperationException($"case {name} failed ({child.ExitCode})");
    results[name] = JsonSerializer.Deserialize<Result>(output.Trim().Split('\n')[^1])!;
    Console.Error.WriteLine($"{name}: {results[name].Seconds:0.00} s, peak {results[name].PeakMb:0} MB");
}

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average at start {Cases.LoadAverage()}.");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project bench/exports -- --rows {rows}`");
md.AppendLine();
md.AppendLine("| Case | Madoguchi rows/s | Bare rows/s | Ratio (target ≥ 0.5×) | Madoguchi peak working set | Bare peak working set | Madoguchi file | Bare file |");
md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var (ours, bare, label) in new[]
{
    ("csv-utf8", "bare-csv-utf8", $"CSV UTF-8 (BOM), {rows:N0} rows vs CsvHelper"),
    ("csv-cp932", "bare-csv-cp932", $"CSV cp932, {rows:N0} rows vs CsvHelper (its \"?\" fallback)"),
    ("xlsx", "bare-xlsx", $"XLSX plain, {rows:N0} rows vs MiniExcel SaveAs"),
    ("xlsx-template", "bare-xlsx", $"XLSX into a template, {rows:N0} rows vs MiniExcel SaveAs"),
})
{
    var o = results[ours];
    var b = results[bare];
    md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {o.RowsPerSecond:N0} ({o.Seconds:0.00} s) | {b.RowsPerSecond:N0} ({b.Seconds:0.00} s) | {o.RowsPerSecond / b.RowsPerSecond:0.00}× | {o.PeakMb:0} MB | {b.PeakMb:0} MB | {o.FileMb:0.0} MB | {b.FileMb:0.0} MB |");
}
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"cp932: {results["csv-cp932"].Replacements:N0} characters replaced by 〓 and reported (the 𠮷 of one name in a thousand).");
var markdown = md.ToString();
Console.WriteLine(markdown);
if (outPath is not null)
{
    var text = await File.ReadAllTextAsync(outPath);
    const string begin = "<!-- bench:exports -->", end = "<!-- /bench:exports -->";
    var a = text.IndexOf(begin, StringComparison.Ordinal);
    var z = text.IndexOf(end, StringComparison.Ordinal);
    text = a >= 0 && z > a ? text[..(a + begin.Length)] + "\n" + markdown + text[z..] : text + "\n" + begin + "\n" + markdown + end + "\n";
    await File.WriteAllTextAsync(outPath, text);
}
return 0;

internal sealed record Result(string Case, int Rows, double Seconds, double PeakMb, double AllocatedMb, double FileMb, long Replacements)
{
    public double RowsPerSecond => Rows / Seconds;
}

internal static class Cases
{
    public static readonly string[] Names = ["bare-csv-utf8", "csv-utf8", "bare-csv-cp932", "csv-cp932", "bare-xlsx", "xlsx", "xlsx-template"];

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static async Task<Result> RunAsync(string name, int rows)
    {
        var template = XlsxTemplate.Load(BenchTemplate.Build());
        // Warm-up (JIT) on a small run to nowhere; it stays far below the measured peak.
        await RunOnceAsync(name, 2_000, Stream.Null, template);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var path = Path.Combine(Path.GetTempPath(), $"madoguchi-export-bench-{Guid.NewGuid():N}");
        try
        {
            var allocated = GC.GetTotalAllocatedBytes(true);
            var watch = Stopwatch.StartNew();
            long replaced;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                replaced = await RunOnceAsync(name, rows, file, template);
            }
            watch.Stop();
            using var self = Process.GetCurrentProcess();
            return new Result(name, rows, watch.Elapsed.TotalSeconds, self.PeakWorkingSet64 / 1048576.0,
                (GC.GetTotalAllocatedBytes(true) - allocated) / 1048576.0, new FileInfo(path).Length / 1048576.0, replaced);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<long> RunOnceAsync(string name, int rows, Stream output, XlsxTemplate template)
    {
        switch (name)
        {
            case "csv-utf8":
                return (await ExportWriter.WriteCsvAsync(output, LedgerRows.Headings, LedgerRows.Cells(rows), CsvEncoding.Utf8Bom)).ReplacementCount;
            case "csv-cp932":
                return (await ExportWriter.WriteCsvAsync(output, LedgerRows.Headings, LedgerRows.Cells(rows), CsvEncoding.Cp932)).ReplacementCount;
            case "xlsx":
                await ExportWriter.WriteXlsxAsync(output, LedgerRows.Headings, LedgerRows.Cells(rows));
                return 0;
            case "xlsx-template":
                await ExportWriter.WriteXlsxAsync(output, LedgerRows.Headings, LedgerRows.Cells(rows), template);
                return 0;
            case "bare-csv-utf8":
                BareCsv(output, rows, new UTF8Encoding(true));
                return 0;
            case "bare-csv-cp932":
                BareCsv(output, rows, Encoding.GetEncoding(932));
                return 0;
            case "bare-xlsx":
                await MiniExcel.SaveAsAsync(output, LedgerRows.Dictionaries(rows));
                return 0;
            default:
                throw new ArgumentException("unknown case " + name);
        }
    }

    /// <summary>The same typed values through CsvHelper's own field writer and formatters (no injection protection, its defaults).</summary>
    private static void BareCsv(Stream output, int rows, Encoding encoding)
    {
        var utf8 = encoding.CodePage == 65001;
        using var text = utf8 ? null : new StreamWriter(output, encoding, 64 * 1024, leaveOpen: true);
        var options = new CsvWriterOptions { WriteByteOrderMark = true, NewLine = "\r\n" };
        using var csv = utf8 ? CsvWriter.Create(output, options, leaveOpen: true) : CsvWriter.Create(text!, options, leaveOpen: true);
        foreach (var h in LedgerRows.Headings) csv.WriteField(h);
        csv.EndRecord();
        for (var i = 1; i <= rows; i++)
        {
            var r = LedgerRows.Row(i);
            csv.WriteField(r.Receipt);
            csv.WriteField(r.Received, "yyyy-MM-dd");
            csv.WriteField(TimeZoneInfo.ConvertTime(r.At, Madoguchi.Web.Shared.Japanese.JapanTime.Zone), "yyyy-MM-dd HH:mm:ss");
            csv.WriteField(r.Name);
            csv.WriteField(r.Kana);
            csv.WriteField(r.Birth, "yyyy-MM-dd");
            csv.WriteField(r.Postcode);
            csv.WriteField(r.Address);
            csv.WriteField(r.Phone);
            csv.WriteField(r.Fee, default);
            csv.WriteField(r.Copies, default);
            csv.WriteField(r.Issued);
            csv.EndRecord();
        }
    }
}
