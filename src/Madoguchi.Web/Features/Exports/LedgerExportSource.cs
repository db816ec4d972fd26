using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Exports;

/// <summary>Which cases of a ledger an export holds (page, API and schedules say it the same way).</summary>
public enum ExportScope { All, Filter, Selected }

/// <summary>
/// A ledger's cases as export rows in the procedure's own columns (the ledger page's mapping): streamed
/// with their answers, so 300,000 cases never sit in memory.
/// Built-in columns are typed (受付日時 an instant, 期限 a date); answers are the text staff read on the page.
/// </summary>
public sealed class LedgerExportSource(MadoguchiDbContext db)
{
    /// <summary>Rows whose text cp932 cannot hold, by data row number (1-based) → receipt number; at most the listed replacements.</summary>
    public Dictionary<long, string> Receipts { get; } = [];

    /// <summary>When set, the receipt numbers of rows with a character cp932 lacks are kept in <see cref="Receipts"/>.</summary>
    public bool TrackCp932 { get; init; }

    public static IReadOnlyList<string> Headings(LedgerProcedure procedure) => [.. procedure.Columns.Select(c => c.Label)];

    public static string FormatCode(ExportFormat format) => format switch
    {
        ExportFormat.Xlsx => "xlsx",
        ExportFormat.CsvCp932 => "csv-cp932",
        _ => "csv",
    };

    public static ExportFormat? ParseFormat(string? code) => code?.Trim().ToLowerInvariant() switch
    {
        "xlsx" => ExportFormat.Xlsx,
        "csv" or "csv-utf8" => ExportFormat.Csv,
        "csv-cp932" or "csv-sjis" => ExportFormat.CsvCp932,
        _ => null,
    };

    public static string FormatLabel(ExportFormat format) => format switch
    {
        ExportFormat.Xlsx => "Excel（XLSX）",
        ExportFormat.CsvCp932 => "CSV（Shift_JIS）",
        _ => "CSV（UTF-8）",
    };

    /// <summary>
    /// The download's name: procedure name, 台帳, Japan time, e.g. 住民票の写しの交付申請_台帳_20260401-0800.csv.
    /// Characters no file system takes become _; the browser gets it through RFC 5987 filename*.
    /// </summary>
    public static string FileName(string procedureName, ExportFormat format, DateTimeOffset japanNow)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['\\', '/', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();
        var name = new string([.. procedureName.Trim().Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c)]);
        if (name.Length > 60) name = name[..60];
        if (name.Length == 0) name = "手続";
        var stamp = japanNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        return format switch
        {
            ExportFormat.Xlsx => $"{name}_台帳_{stamp}.xlsx",
            ExportFormat.CsvCp932 => $"{name}_台帳_{stamp}_SJIS.csv",
            _ => $"{name}_台帳_{stamp}.csv",
        };
    }

    private sealed record ExportRow(string ReceiptNumber, CaseChannel Channel, string Status, string? AssigneeId, DateTimeOffset ReceivedAt, DateOnly? DueOn, Guid FormVersionId, string Answers);

    /// <summary>
    /// The rows of <paramref name="cases"/> (already narrowed to the procedure) in <paramref name="sort"/>
    /// order, streamed: each of <see cref="LedgerQuery.All"/>'s queries is read once, row by row, so memory
    /// stays flat and the file is one snapshot. Nothing else may query while a reader is open (PostgreSQL
    /// allows one per connection), so form versions and staff names are loaded first.
    /// </summary>
    public async IAsyncEnumerable<ExportCell[]> RowsAsync(LedgerProcedure procedure, IQueryable<Case> cases, LedgerSort sort, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var answerColumns = new AnswerColumnsByVersion(db, procedure);
        await answerColumns.LoadProcedureAsync(ct);
        // Every member of staff by name, in one query (a city has thousands, not millions): those who
        // moved to another department still name the cases they hold.
        var names = await db.Users.AsNoTracking().Select(Staff.StaffUser.Named).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        // What each column is, decided once: the per-row loop below only switches on it.
        var kinds = procedure.Columns.Select(c => LedgerLayout.IsBuiltIn(c.Source) ? c.Source : null).ToArray();
        long number = 0;
        foreach (var segment in LedgerQuery.All(cases, db.Submissions, sort))
        {
            var rows = segment.Select(e => new ExportRow(e.Case.ReceiptNumber, e.Case.Channel, e.Case.Status, e.Case.AssigneeId, e.Case.ReceivedAt, e.Case.DueOn,
                e.Submission.FormVersionId, e.Case.AnswersJson ?? e.Submission.AnswersJson));
            await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                var plan = answerColumns.For(r.FormVersionId);
                var cells = new ExportCell[kinds.Length];
                using (var answers = JsonDocument.Parse(r.Answers))
                {
                    for (var i = 0; i < cells.Length; i++)
                    {
                        cells[i] = kinds[i] switch
                        {
                            LedgerLayout.Receipt => r.ReceiptNumber,
                            LedgerLayout.Received => r.ReceivedAt,
                            LedgerLayout.Channel => CaseChannels.Label(r.Channel),
                            LedgerLayout.Status => procedure.Workflow.Name(r.Status),
                            LedgerLayout.Assignee => r.AssigneeId is { } a ? names.GetValueOrDefault(a, "（不明な職員）") : "未割当",
                            LedgerLayout.Due => r.DueOn,
                            _ => plan.Cell(i, answers.RootElement),
                        };
                    }
                }
                number++;
                if (TrackCp932 && Receipts.Count < ExportWriter.MaxListedReplacements && cells.Any(c => c.Kind == CellKind.Text && Cp932Check.FirstMissing(c.Text) >= 0))
                {
                    Receipts[number] = r.ReceiptNumber;
                }
                yield return cells;
            }
        }
    }
}
