using Madoguchi.Web.Shared;
using System.Globalization;
using System.Text;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Madoguchi.Web.Features.Catalog.Import;
using Madoguchi.Web.Shared.Japanese;
using MiniExcelLibs;

namespace Madoguchi.Web.Features.Catalog.Export;

public enum ExportLayout { Municipal, National }

public enum ExportFormat
{
    /// <summary>UTF-8 with BOM, CRLF: opens correctly in Excel and keeps every character.</summary>
    Csv,
    /// <summary>Shift_JIS (cp932) for older systems; refused when a character does not fit.</summary>
    CsvSjis,
    Xlsx,
}

/// <summary>A character cp932 cannot hold, where it is.</summary>
public sealed record UnencodableCharacter(string Code, string Column, string Character)
{
    public string CodePoint => "U+" + char.ConvertToUtf32(Character, 0).ToString("X4", CultureInfo.InvariantCulture);
    public override string ToString() => $"手続ID {Code}, 列 {Column}: 文字 「{Character}」({CodePoint}) は Shift_JIS (cp932) にありません";
}

public sealed record ExportResult(int Rows, IReadOnlyList<UnencodableCharacter> Unencodable)
{
    public bool Written => Unencodable.Count == 0;
}

/// <summary>
/// Writes the inventory in the municipal or the national layout as CSV (UTF-8 or Shift_JIS) or XLSX,
/// streaming rows from the database. Cells a spreadsheet would run as formulas are neutralised.
/// </summary>
public sealed class InventoryExporter(MadoguchiDbContext db, TimeProvider clock)
{
    static InventoryExporter() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Writes to a file, or — for csv-sjis with characters cp932 lacks — writes nothing and lists them.
    /// The file appears complete or not at all (written beside, then moved).
    /// </summary>
    public async Task<ExportResult> ExportToFileAsync(string path, ExportLayout layout, ExportFormat format, int? volumesFiscalYear = null, CancellationToken ct = default)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            ExportResult result;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                result = await ExportAsync(stream, layout, format, volumesFiscalYear, ct);
            }
            if (result.Written) File.Move(temp, full, overwrite: true);
            return result;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes the export to a stream; for csv-sjis, nothing is written when a character does not fit.</summary>
    public async Task<ExportResult> ExportAsync(Stream output, ExportLayout layout, ExportFormat format, int? volumesFiscalYear = null, CancellationToken ct = default)
    {
        var fy = volumesFiscalYear ?? Wareki.LastCompletedFiscalYear(clock);
        var withKakari = layout == ExportLayout.Municipal && await db.Departments.AnyAsync(d => d.Kakari != "", ct);
        var header = Header(layout, withKakari);
        if (format == ExportFormat.CsvSjis)
        {
            // A first pass finds every character Shift_JIS lacks, so a failed export writes nothing at all.
            var problems = new List<UnencodableCharacter>();
            await foreach (var p in Query(fy).AsAsyncEnumerable().WithCancellation(ct))
            {
                var cells = Cells(p, layout, withKakari, fy);
                for (var i = 0; i < cells.Length; i++)
                {
                    foreach (var c in Cp932.Unencodable(Text(cells[i]))) problems.Add(new UnencodableCharacter(p.Code, header[i], c));
                }
            }
            if (problems.Count > 0) return new ExportResult(0, problems);
        }
        if (format == ExportFormat.Xlsx)
        {
            var rows = XlsxRows(layout, header, withKakari, fy);
            await MiniExcel.SaveAsAsync(output, rows.Values, printHeader: false, excelType: ExcelType.XLSX, cancellationToken: ct);
            return new ExportResult(rows.Count, []);
        }
        var encoding = format == ExportFormat.CsvSjis ? Encoding.GetEncoding(932) : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
        var count = 0;
        await using (var writer = new StreamWriter(output, encoding, 64 * 1024, leaveOpen: true) { NewLine = "\r\n" })
        {
            if (layout == ExportLayout.National) await WriteCsvRow(writer, [InventoryLayouts.NationalTitle, .. Enumerable.Repeat("", header.Length - 1)]);
            await WriteCsvRow(writer, header);
            await foreach (var p in Query(fy).AsAsyncEnumerable().WithCancellation(ct))
            {
                await WriteCsvRow(writer, Cells(p, layout, withKakari, fy).Select(Text).ToArray());
                count++;
            }
        }
        return new ExportResult(count, []);
    }

    private RowSourceAdapter XlsxRows(ExportLayout layout, string[] header, bool withKakari, int fy)
    {
        var keys = header.Select((_, i) => "c" + i.ToString("D2", CultureInfo.InvariantCulture)).ToArray();
        Dictionary<string, object?> Row(object?[] cells)
        {
            var d = new Dictionary<string, object?>(cells.Length);
            for (var i = 0; i < cells.Length; i++) d[keys[i]] = cells[i] is string s ? CsvCell.Neutralize(s) : cells[i];
            return d;
        }
        IEnumerable<Dictionary<string, object?>> Rows()
        {
            if (layout == ExportLayout.National) yield return Row([InventoryLayouts.NationalTitle, .. Enumerable.Repeat<object?>("", header.Length - 1)]);
            yield return Row(header);
            foreach (var p in Query(fy).AsEnumerable()) yield return Row(Cells(p, layout, withKakari, fy));
        }
        return new RowSourceAdapter(Rows(), layout == ExportLayout.National ? 2 : 1);
    }

    /// <summary>MiniExcel pulls rows from an enumerable; this one counts them as they stream from the database.</summary>
    private sealed class RowSourceAdapter(IEnumerable<Dictionary<string, object?>> rows, int headerRows)
    {
        private int _count;
        public int Count => Math.Max(0, _count - headerRows);
        public IEnumerable<Dictionary<string, object?>> Values
        {
            get
            {
                foreach (var r in rows)
                {
                    _count++;
                    yield return r;
                }
            }
        }
    }

    // One query, streamed row by row: the volumes are filtered to one fiscal year (at most one row per
    // procedure), so joining them with the life events multiplies nothing. Split queries would buffer.
    private IQueryable<Procedure> Query(int fy) => db.Procedures.AsNoTracking()
        .Include(p => p.Department)
        .Include(p => p.Volumes.Where(v => v.FiscalYear == fy))
        .Include(p => p.LifeEvents)
        .AsSingleQuery()
        .OrderBy(p => p.Code);

    public static string[] Header(ExportLayout layout, bool withKakari)
    {
        if (layout == ExportLayout.National) return [.. InventoryLayouts.National.Select(c => c.Header)];
        var columns = InventoryLayouts.Municipal.Select(c => c.Header).ToList();
        if (withKakari) columns.Insert(4, "所管係");
        return [.. columns];
    }

    /// <summary>One procedure as cells: strings, or ints for counts (numbers in XLSX).</summary>
    private static object?[] Cells(Procedure p, ExportLayout layout, bool withKakari, int fy)
    {
        var volume = p.Volumes.Find(v => v.FiscalYear == fy);
        if (layout == ExportLayout.Municipal)
        {
            var cells = new List<object?>
            {
                p.Code, p.Name, p.Department?.Bu ?? "", p.Department?.Ka ?? "", p.LawName, p.ProcedureType, p.Actor,
                p.OnlineEligible ? "可" : "不可", p.IneligibleReason,
                p.PlanFiscalYear is int y ? Wareki.FormatFiscalYear(y, p.PlanYearBound) : "",
                p.Tool, p.Status == OnlineStatus.Done ? "済" : "未",
                p.OnlineSince is { } d ? (d.Day == 1 ? d.ToString("yyyy-MM", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : "",
                volume?.Total, volume?.Online,
            };
            if (withKakari) cells.Insert(4, p.Department?.Kakari ?? "");
            return [.. cells];
        }
        var extras = InventoryImporter.ReadExtras(p.ExtraJson);
        string Events(LifeEventKind kind) => string.Join("; ", p.LifeEvents.Where(e => e.Kind == kind).Select(e => e.Event).Order(StringComparer.Ordinal));
        return [.. InventoryLayouts.National.Select(c => c.Field switch
        {
            InventoryField.Code => p.Code,
            InventoryField.Ministry => p.Ministry,
            InventoryField.Name => p.Name,
            InventoryField.LawName => p.LawName,
            InventoryField.LawArticle => p.LawArticle,
            InventoryField.ProcedureType => p.ProcedureType,
            InventoryField.Actor => p.Actor,
            InventoryField.Recipient => p.Recipient,
            InventoryField.AffairCategory => p.AffairCategory,
            InventoryField.Status => InventoryLayouts.StatusLabel(p.Status),
            InventoryField.PlanNote => p.PlanNote,
            InventoryField.PlanFiscalYear => InventoryLayouts.PlanLabel(p.PlanFiscalYear, p.PlanYearBound),
            InventoryField.IdentityVerification => p.IdentityVerification,
            InventoryField.FeeRequired => InventoryLayouts.FeeLabel(p.FeeRequired),
            InventoryField.FeePaymentMethods => p.FeePaymentMethods,
            InventoryField.VolumeTotal => volume?.Total,
            InventoryField.VolumeOnline => volume?.Online,
            InventoryField.VolumeNonOnline => volume?.NonOnline,
            InventoryField.Attachments => p.Attachments,
            InventoryField.EventsPersonal => Events(LifeEventKind.Personal),
            InventoryField.EventsCorporate => Events(LifeEventKind.Corporate),
            _ => (object?)extras.GetValueOrDefault(c.Header, ""),
        })];
    }

    private static string Text(object? cell) => cell switch
    {
        null => "",
        string s => s,
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };

    private static async Task WriteCsvRow(TextWriter writer, string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) await writer.WriteAsync(',');
            await writer.WriteAsync(CsvCell.Escape(cells[i]));
        }
        await writer.WriteLineAsync();
    }
}

/// <summary>Which characters Shift_JIS (cp932) cannot hold: 𠮷, IVS selectors, ✕ …</summary>
public static class Cp932
{
    private static readonly Encoding Strict;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> Cache = new();

    static Cp932()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Strict = Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    /// <summary>Each distinct character of the text that cp932 lacks, in order of appearance.</summary>
    public static List<string> Unencodable(string text)
    {
        var found = new List<string>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value < 0x80) continue;
            if (!Cache.GetOrAdd(rune.Value, static v => CanEncode(new Rune(v))))
            {
                var s = rune.ToString();
                if (!found.Contains(s)) found.Add(s);
            }
        }
        return found;
    }

    private static bool CanEncode(Rune rune)
    {
        Span<char> chars = stackalloc char[2];
        var n = rune.EncodeToUtf16(chars);
        try
        {
            Strict.GetByteCount(chars[..n]);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
