using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Exports;

/// <summary>Which cases of a ledger an export holds (page, API and schedules say it the same way).</summary>
public enum ExportScope { All, Filter, Selected }

/// <summary>
/// A ledger's cases as export rows in the procedure's own columns (the ledger page's mapping): read
/// in keyset batches of <see cref="Batch"/> with their answers, so 300,000 cases never sit in memory.
/// Built-in columns are typed (受付日時 an instant, 期限 a date); answers are the text staff read on the page.
/// </summary>
public sealed class LedgerExportSource(MadoguchiDbContext db, IReadOnlyDictionary<string, string> staffNames)
{
    public const int Batch = 500;

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

    /// <summary>The rows of <paramref name="cases"/> (already narrowed to the procedure) in <paramref name="sort"/> order.</summary>
    public async IAsyncEnumerable<ExportCell[]> RowsAsync(LedgerProcedure procedure, IQueryable<Case> cases, LedgerSort sort, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var names = new Dictionary<string, string>(staffNames);
        string? after = null;
        long number = 0;
        do
        {
            var page = await LedgerQuery.PageAsync(cases, sort, after, null, Batch, ct);
            var ids = page.Rows.Select(r => r.Id).ToList();
            var submissions = await db.Submissions.AsNoTracking().Where(s => ids.Contains(s.Id))
                .Select(s => new { s.Id, s.FormVersionId, s.AnswersJson }).ToDictionaryAsync(s => s.Id, ct);
            var missing = page.Rows.Select(r => r.AssigneeId).OfType<string>().Where(id => !names.ContainsKey(id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                foreach (var u in await db.Users.AsNoTracking().Where(u => missing.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.UserName }).ToListAsync(ct))
                {
                    names[u.Id] = u.DisplayName.Length > 0 ? u.DisplayName : u.UserName ?? u.Id;
                }
            }
            foreach (var r in page.Rows)
            {
                FormDefinition? definition = null;
                JsonObject answers = [];
                if (submissions.TryGetValue(r.Id, out var s))
                {
                    definition = await PublishedDefinitions.GetAsync(db, s.FormVersionId, ct);
                    answers = JsonNode.Parse(r.AnswersJson ?? s.AnswersJson) as JsonObject ?? [];
                }
                var cells = new ExportCell[procedure.Columns.Count];
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = procedure.Columns[i].Source switch
                    {
                        LedgerLayout.Receipt => r.ReceiptNumber,
                        LedgerLayout.Received => r.ReceivedAt,
                        LedgerLayout.Channel => CaseChannels.Label(r.Channel),
                        LedgerLayout.Status => procedure.Workflow.Name(r.Status),
                        LedgerLayout.Assignee => r.AssigneeId is { } a ? names.GetValueOrDefault(a, "（不明な職員）") : "未割当",
                        LedgerLayout.Due => r.DueOn,
                        var source => definition is null ? "" : LedgerLayout.Cell(source, definition, answers),
                    };
                }
                number++;
                if (TrackCp932 && Receipts.Count < ExportWriter.MaxListedReplacements && cells.Any(c => c.Kind == CellKind.Text && Cp932Check.FirstMissing(c.Text) >= 0))
                {
                    Receipts[number] = r.ReceiptNumber;
                }
                yield return cells;
            }
            after = page.Next;
        }
        while (after is not null);
    }
}
