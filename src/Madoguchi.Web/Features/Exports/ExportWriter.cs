using System.Buffers;
using System.Text;
using Madoguchi.Web.Shared;

namespace Madoguchi.Web.Features.Exports;

public enum CsvEncoding
{
    /// <summary>UTF-8 with a byte order mark, so Excel opens it as UTF-8; keeps every character.</summary>
    Utf8Bom,
    /// <summary>Shift_JIS (cp932) for older systems; characters it lacks are written as 〓 and reported.</summary>
    Cp932,
}

/// <summary>
/// Writes a ledger as CSV or XLSX from a stream of typed rows without holding the result in memory:
/// rows are pulled one at a time and the output is written in chunks of about 128 KB. Text that a
/// spreadsheet would run as a formula (= + - @ tab CR first) is prefixed with an apostrophe in both
/// formats (docs/adr/0010-ledger-exports.md).
/// </summary>
public static class ExportWriter
{
    /// <summary>Replacements listed one by one in an outcome; beyond this only the count grows.</summary>
    public const int MaxListedReplacements = 1_000;

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    /// <summary>
    /// Writes a heading line and one line per row, CRLF, RFC 4180 quoting. For cp932 the outcome lists
    /// every character Shift_JIS lacks (row, heading, character, U+ code); each is written as 〓.
    /// </summary>
    public static async Task<ExportOutcome> WriteCsvAsync(Stream output, IReadOnlyList<string> headings, IAsyncEnumerable<ExportCell[]> rows,
        CsvEncoding encoding, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(headings);
        ArgumentNullException.ThrowIfNull(rows);
        var cp932 = encoding == CsvEncoding.Cp932;
        var replacements = new Replacements();
        await using var chunk = new ChunkStream();
        long count = 0;
        await using (var writer = new StreamWriter(chunk, cp932 ? Cp932Check.Writer : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 32 * 1024, leaveOpen: true))
        {
            for (var i = 0; i < headings.Count; i++)
            {
                if (i > 0) writer.Write(',');
                WriteField(writer, Prepare(headings[i], cp932, replacements, 0, headings[i]));
            }
            writer.Write("\r\n");
            await foreach (var row in rows.WithCancellation(ct))
            {
                count++;
                CheckWidth(row, headings.Count, count);
                for (var i = 0; i < row.Length; i++)
                {
                    if (i > 0) writer.Write(',');
                    var cell = row[i];
                    switch (cell.Kind)
                    {
                        case CellKind.Empty:
                            break;
                        case CellKind.Text:
                            WriteField(writer, Prepare(cell.Text, cp932, replacements, count, headings[i]));
                            break;
                        default:
                            // Numbers, dates and booleans are ASCII and never start a formula.
                            writer.Write(cell.ToCsvText());
                            break;
                    }
                }
                writer.Write("\r\n");
                if (chunk.Full) await chunk.DrainAsync(output, ct);
            }
        }
        await chunk.DrainAsync(output, ct);
        return replacements.Outcome(count);
    }

    /// <summary>
    /// Writes an XLSX workbook: without a template, one sheet "台帳" with a bold, frozen heading row;
    /// with one, the template's sheet filled under its heading rows, everything else kept as uploaded.
    /// Text is written as inline strings (never formulas), dates and instants as real Excel dates.
    /// </summary>
    public static async Task<ExportOutcome> WriteXlsxAsync(Stream output, IReadOnlyList<string> headings, IAsyncEnumerable<ExportCell[]> rows,
        XlsxTemplate? template = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(headings);
        ArgumentNullException.ThrowIfNull(rows);
        return await XlsxWriter.WriteAsync(output, headings, rows, template, ct);
    }

    internal static void CheckWidth(ExportCell[] row, int columns, long number)
    {
        if (row.Length != columns)
        {
            throw new ArgumentException($"{number}行目のセルの数（{row.Length}）が列の数（{columns}）と合いません。列の対応付けを確認してください。", nameof(row));
        }
    }

    /// <summary>Neutralised against formulas and, for cp932, with missing characters replaced and recorded.</summary>
    private static string Prepare(string text, bool cp932, Replacements replacements, long row, string column)
    {
        text = CsvCell.Neutralize(text);
        return cp932 ? replacements.Cp932(text, row, column) : text;
    }

    private static void WriteField(StreamWriter writer, string s)
    {
        if (s.AsSpan().IndexOfAny(NeedsQuotes) < 0 && (s.Length == 0 || (s[0] != ' ' && s[^1] != ' ')))
        {
            writer.Write(s);
            return;
        }
        writer.Write('"');
        var span = s.AsSpan();
        int q;
        while ((q = span.IndexOf('"')) >= 0)
        {
            writer.Write(span[..(q + 1)]);
            writer.Write('"');
            span = span[(q + 1)..];
        }
        writer.Write(span);
        writer.Write('"');
    }

    /// <summary>Collects cp932 replacements: all are counted, the first thousand listed.</summary>
    internal sealed class Replacements
    {
        private readonly List<Replacement> _listed = [];
        private long _count;

        public string Cp932(string text, long row, string column)
        {
            var first = Cp932Check.FirstMissing(text);
            if (first < 0) return text;
            var sb = new StringBuilder(text.Length);
            sb.Append(text, 0, first);
            for (var i = first; i < text.Length; i++)
            {
                var c = text[i];
                if (Cp932Check.Fits(c))
                {
                    sb.Append(c);
                    continue;
                }
                // A surrogate pair (𠮷, an IVS selector) is one character and one 〓.
                var width = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                sb.Append(Replacement.Mark);
                _count++;
                if (_listed.Count < MaxListedReplacements) _listed.Add(new Replacement(row, column, text.Substring(i, width)));
                i += width - 1;
            }
            return sb.ToString();
        }

        public ExportOutcome Outcome(long rows) => new(rows, _listed, _count);
    }
}
