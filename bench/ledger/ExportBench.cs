using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Exports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using MiniExcelLibs;



/// <summary>
/// --export (issue 8): the whole ledger of the seeded procedure exported end to end through the API
/// (token, the procedure's column mapping, cases and answers read from the database in batches, the
/// app's streaming writer, HTTP) as CSV and as XLSX, against the same cases read by one bare SQL query
/// and written with the bare libraries (CsvHelper, MiniExcel) in the same process and run. Peak
/// memory is the process working set sampled every 10 ms during each export, after a full garbage
/// collection, so it is what the export added on top of the app and the seeded state.
/// </summary>
internal static class ExportBench
{
    private const string Start = "<!-- ledger-export:start -->";
    private const string End = "<!-- ledger-export:end -->";
    private static readonly DateTimeOffsetToBinaryConverter Instant = new();

    private sealed record Measured(double Seconds, double PeakMb, double BaseMb, double FileMb);

    public static async Task<string> RunAsync(HttpClient client, string token, SqliteConnection bare, LedgerProcedure procedure, int rows, string work, CancellationToken ct)
    {
        var results = new List<(string Label, Measured App, Measured Bare)>();
        foreach (var (format, label) in new[] { ("csv", "CSV UTF-8 (BOM)"), ("xlsx", "XLSX") })
        {
            // Warm-up of both paths on the same data (JIT, page cache), then the measured runs.
            await ApiAsync(client, token, procedure.Id, format, Path.Combine(work, "warm." + format), ct);
            var app = await MeasureAsync(Path.Combine(work, "app." + format), path => ApiAsync(client, token, procedure.Id, format, path, ct));
            var baseline = await MeasureAsync(Path.Combine(work, "bare." + format), path => BareAsync(bare, procedure, format, path, ct));
            if (format == "csv")
            {
                var appRows = CountCsvRecords(Path.Combine(work, "app.csv"));
                var bareRows = CountCsvRecords(Path.Combine(work, "bare.csv"));
                if (appRows != rows || bareRows != rows) throw new InvalidOperationException($"rows written: app {appRows}, bare {bareRows}, expected {rows}");
            }
            results.Add(($"{label}, {rows:N0} cases", app, baseline));
            Console.Error.WriteLine($"{label}: app {app.Seconds:0.00} s (peak {app.PeakMb:0} MB), bare {baseline.Seconds:0.00} s (peak {baseline.PeakMb:0} MB)");
        }
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(Start);
        sb.AppendLine(inv, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (load average at the end: {LoadAverage()}), .NET {Environment.Version}, SQLite (WAL, synchronous=FULL).");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `dotnet run -c Release --project bench/ledger -- --rows {rows} --export`");
        sb.AppendLine();
        sb.AppendLine("| Export of the whole ledger | Madoguchi (API) rows/s | bare query + library rows/s | ratio (aim ≥ 0.5×) | Madoguchi peak working set (before) | bare peak working set (before) | files |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (label, a, b) in results)
        {
            sb.AppendLine(inv, $"| {label} | {rows / a.Seconds:N0} ({a.Seconds:0.00} s) | {rows / b.Seconds:N0} ({b.Seconds:0.00} s) | {b.Seconds / a.Seconds:0.00}× | {a.PeakMb:0} MB ({a.BaseMb:0} MB) | {b.PeakMb:0} MB ({b.BaseMb:0} MB) | {a.FileMb:0.0} MB / {b.FileMb:0.0} MB |");
        }
        sb.AppendLine(End);
        return sb.ToString();
    }

    /// <summary>
    /// --export-parts: the CSV export taken apart, each part timed alone (median of 3) in the same run, so
    /// that work on the export goes where the time is: the app's row source alone, the source with the
    /// app's CSV writer into a null stream, the whole API; the bare query alone and with CsvHelper.
    /// </summary>
    public static async Task PartsAsync(IServiceProvider services, HttpClient client, string token, SqliteConnection bare, LedgerProcedure procedure, int rows, string work, CancellationToken ct)
    {
        async Task<long> SourceAsync(bool write)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var source = new LedgerExportSource(db);
            var cases = db.Cases.Where(c => c.ProcedureId == procedure.Id);
            if (write)
            {
                var outcome = await ExportWriter.WriteCsvAsync(Stream.Null, LedgerExportSource.Headings(procedure), source.RowsAsync(procedure, cases, LedgerSort.Oldest, ct), CsvEncoding.Utf8Bom, ct);
                return outcome.Rows;
            }
            long n = 0;
            await foreach (var row in source.RowsAsync(procedure, cases, LedgerSort.Oldest, ct)) n += row.Length > 0 ? 1 : 0;
            return n;
        }
        void Check(long n)
        {
            if (n != rows) throw new InvalidOperationException($"rows read: {n}, expected {rows}");
        }
        async Task<long> QueryAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            long n = 0;
            foreach (var segment in LedgerQuery.All(db.Cases.Where(c => c.ProcedureId == procedure.Id), db.Submissions, LedgerSort.Oldest))
            {
                await foreach (var e in segment.Select(e => new { e.Case.ReceiptNumber, e.Case.ReceivedAt, e.Submission.FormVersionId, Answers = e.Case.AnswersJson ?? e.Submission.AnswersJson }).AsAsyncEnumerable().WithCancellation(ct))
                {
                    n += e.Answers.Length > 0 ? 1 : 0;
                }
            }
            return n;
        }
        var parts = new (string Name, Func<Task> Run)[]
        {
            ("app: the query alone (LedgerQuery.All, four columns)", async () => Check(await QueryAsync())),
            ("app: rows from LedgerExportSource", async () => Check(await SourceAsync(false))),
            ("app: rows + ExportWriter CSV (null stream)", async () => Check(await SourceAsync(true))),
            ("app: whole API to a file", () => ApiAsync(client, token, procedure.Id, "csv", Path.Combine(work, "parts.csv"), ct)),
            ("bare: query + cells", () => BareAsync(bare, procedure, "read", Path.Combine(work, "parts-bare.csv"), ct)),
            ("bare: query + cells + CsvHelper to a file", () => BareAsync(bare, procedure, "csv", Path.Combine(work, "parts-bare.csv"), ct)),
        };
        foreach (var (name, run) in parts)
        {
            await run();
            var times = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                await run();
                times.Add(watch.Elapsed.TotalSeconds);
            }
            times.Sort();
            Console.WriteLine($"{name}: {times[1]:0.00} s ({rows / times[1]:N0} rows/s)");
        }
    }

    private static async Task<Measured> MeasureAsync(string path, Func<string, Task> run)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var before = self.WorkingSet64;
        var peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var p = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                p.Refresh();
                peak = Math.Max(peak, p.WorkingSet64);
                try { await Task.Delay(10, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var watch = Stopwatch.StartNew();
        await run(path);
        watch.Stop();
        await stop.CancelAsync();
        await sampler;
        return new(watch.Elapsed.TotalSeconds, peak / 1048576.0, before / 1048576.0, new FileInfo(path).Length / 1048576.0);
    }

    private static async Task ApiAsync(HttpClient client, string token, Guid procedureId, string format, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/procedures/{procedureId}/cases/export?format={format}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"export {format}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await using var file = File.Create(path);
        await body.CopyToAsync(file, ct);
    }

    /// <summary>
    /// The baseline: one SELECT of the procedure's cases with their answers (oldest first, as the API's
    /// export), each mapped column taken as plain text (built-in columns raw, answers as their JSON text
    /// or the parts of a composite joined), written with CsvHelper's field writer or MiniExcel's SaveAs.
    /// </summary>
    private static async Task BareAsync(SqliteConnection connection, LedgerProcedure procedure, string format, string path, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT c."ReceiptNumber", c."ReceivedAt", c."Channel", c."Status", c."AssigneeId", c."DueOn", COALESCE(c."AnswersJson", s."AnswersJson")
            FROM "Cases" AS c JOIN "Submissions" AS s ON s."Id" = c."Id"
            WHERE c."ProcedureId" = @p ORDER BY c."ReceivedAt", c."Id"
            """;
        cmd.Parameters.AddWithValue("@p", procedure.Id.ToString().ToUpperInvariant());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var headings = procedure.Columns.Select(c => c.Label).ToList();
        if (format == "read")
        {
            long n = 0;
            while (await reader.ReadAsync(ct))
            {
                foreach (var cell in Cells(reader, procedure)) n += cell.Length;
            }
            if (n < 0) throw new InvalidOperationException("no cells");
        }
        else if (format == "csv")
        {
            await using var output = File.Create(path);
            using var csv = CsvWriter.Create(output, new CsvWriterOptions { WriteByteOrderMark = true, NewLine = "\r\n" }, leaveOpen: true);
            foreach (var h in headings) csv.WriteField(h);
            csv.EndRecord();
            while (await reader.ReadAsync(ct))
            {
                foreach (var cell in Cells(reader, procedure)) csv.WriteField(cell);
                csv.EndRecord();
            }
        }
        else
        {
            await using var output = File.Create(path);
            await MiniExcel.SaveAsAsync(output, Rows(reader, procedure, headings), cancellationToken: ct);
        }
    }

    private static IEnumerable<Dictionary<string, object?>> Rows(SqliteDataReader reader, LedgerProcedure procedure, List<string> headings)
    {
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(headings.Count);
            var i = 0;
            foreach (var cell in Cells(reader, procedure)) row[headings[i++]] = cell;
            yield return row;
        }
    }

    private static IEnumerable<string> Cells(SqliteDataReader reader, LedgerProcedure procedure)
    {
        using var answers = JsonDocument.Parse(reader.GetString(6));
        foreach (var column in procedure.Columns)
        {
            yield return column.Source switch
            {
                LedgerLayout.Receipt => reader.GetString(0),
                LedgerLayout.Received => TimeZoneInfo.ConvertTime((DateTimeOffset)Instant.ConvertFromProvider(reader.GetInt64(1))!, JapanTime.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                LedgerLayout.Channel => reader.GetValue(2).ToString() ?? "",
                LedgerLayout.Status => reader.GetString(3),
                LedgerLayout.Assignee => reader.IsDBNull(4) ? "" : reader.GetString(4),
                LedgerLayout.Due => reader.IsDBNull(5) ? "" : reader.GetValue(5).ToString() ?? "",
                var source => Answer(answers.RootElement, source),
            };
        }
    }

    private static string Answer(JsonElement root, string source)
    {
        var key = source.StartsWith("answer:", StringComparison.Ordinal) ? source["answer:".Length..].Split(':')[0] : source;
        if (!root.TryGetProperty(key, out var value)) return "";
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Object => string.Join(" ", value.EnumerateObject().Select(p => p.Value.ToString())),
            _ => value.ToString(),
        };
    }

    /// <summary>Records after the heading: line ends outside quoted fields (answers may hold line breaks).</summary>
    private static int CountCsvRecords(string path)
    {
        using var text = new StreamReader(path);
        var inQuotes = false;
        var lines = 0;
        int c;
        while ((c = text.Read()) >= 0)
        {
            if (c == '"') inQuotes = !inQuotes;
            else if (c == '\n' && !inQuotes) lines++;
        }
        return lines - 1;
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static void Update(string path, string markdown)
    {
        var text = File.ReadAllText(path);
        var a = text.IndexOf(Start, StringComparison.Ordinal);
        var b = text.IndexOf(End, StringComparison.Ordinal);
        text = a >= 0 && b > a ? text[..a] + markdown.TrimEnd() + text[(b + End.Length)..] : text.TrimEnd() + "\n\n" + markdown;
        File.WriteAllText(path, text);
    }
}
