using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Madoguchi.Web.Shared;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// Writes the worksheet XML itself, row by row, into a zip entry: no cell is kept once written.
/// Text goes out as inline strings (no shared-string table to hold in memory), never as formulas.
/// </summary>
internal static class XlsxWriter
{
    /// <summary>Excel's row limit; a longer ledger must be exported as CSV.</summary>
    public const int MaxRows = 1_048_576;
    private const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";
    private const string Marker = "madoguchi-rows";
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly DateTime Epoch = new(1899, 12, 30);
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "&<>_\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\uFFFE\uFFFF");

    /// <summary>
    /// Per column, the style attribute (' s="3"' or "") for text and numbers, and — looked up on first
    /// use, so a template gains a date style only where a date is written — for dates and instants.
    /// </summary>
    internal sealed class CellStyles(string[] text, Func<int, string> date, Func<int, string> instant)
    {
        private readonly string?[] _date = new string?[text.Length];
        private readonly string?[] _instant = new string?[text.Length];
        public string[] Text { get; } = text;
        public string Date(int column) => _date[column] ??= date(column);
        public string Instant(int column) => _instant[column] ??= instant(column);
    }

    public static async Task<ExportOutcome> WriteAsync(Stream output, IReadOnlyList<string> headings, IAsyncEnumerable<ExportCell[]> rows,
        XlsxTemplate? template, CancellationToken ct)
    {
        await using var chunk = new ChunkStream();
        long count;
        using (var zip = new ZipArchive(chunk, ZipArchiveMode.Create, leaveOpen: true))
        {
            count = template is null
                ? await PlainAsync(zip, chunk, output, headings, rows, ct)
                : await FromTemplateAsync(zip, chunk, output, headings.Count, rows, template, ct);
        }
        await chunk.DrainAsync(output, ct);
        return new ExportOutcome(count, [], 0);
    }

    private static async Task<long> PlainAsync(ZipArchive zip, ChunkStream chunk, Stream output, IReadOnlyList<string> headings,
        IAsyncEnumerable<ExportCell[]> rows, CancellationToken ct)
    {
        Part(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
            """);
        Part(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        Part(zip, "xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>
            """);
        Part(zip, "xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """);
        // 0 normal, 1 bold heading, 2 date (format 14 = yyyy/m/d in Japanese Excel), 3 date and time.
        Part(zip, "xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d h:mm"/></numFmts><fonts count="2"><font><sz val="11"/><name val="游ゴシック"/><family val="3"/><charset val="128"/></font><font><b/><sz val="11"/><name val="游ゴシック"/><family val="3"/><charset val="128"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="標準" xfId="0" builtinId="0"/></cellStyles></styleSheet>
            """);

        var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest);
        await using var entry = sheet.Open();
        await using var w = new StreamWriter(entry, Utf8, 32 * 1024);
        w.Write(Declaration);
        w.Write("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">");
        w.Write("<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>");
        if (headings.Count > 0)
        {
            w.Write("<cols>");
            for (var i = 0; i < headings.Count; i++)
            {
                // Full-width characters take two columns; dates need about 11 whatever the heading.
                var width = Math.Clamp(headings[i].Sum(c => c > 0xFF ? 2 : 1) + 3, 12, 60);
                w.Write(string.Create(CultureInfo.InvariantCulture, $"<col min=\"{i + 1}\" max=\"{i + 1}\" width=\"{width}\" customWidth=\"1\"/>"));
            }
            w.Write("</cols>");
        }
        w.Write("<sheetData>");
        var columns = Letters(headings.Count);
        w.Write("<row r=\"1\">");
        for (var i = 0; i < headings.Count; i++)
        {
            w.Write("<c r=\""); w.Write(columns[i]); w.Write("1\" s=\"1\" t=\"inlineStr\"><is><t");
            WriteText(w, CsvCell.Neutralize(headings[i]));
            w.Write("</t></is></c>");
        }
        w.Write("</row>");
        var styles = new CellStyles(Enumerable.Repeat("", headings.Count).ToArray(), _ => " s=\"2\"", _ => " s=\"3\"");
        var count = await RowsAsync(w, chunk, output, rows, 2, columns, styles, "", ct);
        w.Write("</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>");
        return count;
    }

    private static async Task<long> FromTemplateAsync(ZipArchive zip, ChunkStream chunk, Stream output, int columnCount,
        IAsyncEnumerable<ExportCell[]> rows, XlsxTemplate template, CancellationToken ct)
    {
        using var source = new ZipArchive(new MemoryStream(template.Content, writable: false), ZipArchiveMode.Read);
        var styleBook = new StyleBook(XlsxTemplate.ReadXml(source, "xl/styles.xml"));
        var styles = styleBook.ForColumns(template, columnCount);
        var (prefix, suffix) = SplitSheet(XlsxTemplate.ReadXml(source, template.SheetPath)!, template.HeaderRows);
        // calcChain lists formula cells by address; Excel rebuilds it, and a stale one makes it "repair" the file.
        var dropCalcChain = source.GetEntry("xl/calcChain.xml") is not null;
        long count = 0;
        foreach (var e in source.Entries)
        {
            if (e.FullName == "xl/calcChain.xml") continue;
            if (e.FullName == template.SheetPath)
            {
                var sheet = zip.CreateEntry(e.FullName, CompressionLevel.Fastest);
                await using var entry = sheet.Open();
                await using var w = new StreamWriter(entry, Utf8, 32 * 1024);
                w.Write(prefix);
                count = await RowsAsync(w, chunk, output, rows, template.HeaderRows + 1, Letters(columnCount), styles, template.DataRowAttributes, ct);
                w.Write(suffix);
            }
            else if (e.FullName == "xl/styles.xml")
            {
                // Written last: the rows decide whether a date style has to be added.
                continue;
            }
            else if (dropCalcChain && e.FullName is "[Content_Types].xml" or "xl/_rels/workbook.xml.rels")
            {
                var doc = XlsxTemplate.ReadXml(source, e.FullName)!;
                doc.Root!.Elements().Where(x => ((string?)x.Attribute("PartName") ?? (string?)x.Attribute("Target") ?? "").EndsWith("calcChain.xml", StringComparison.Ordinal)).Remove();
                Part(zip, e.FullName, Declaration + doc.Root.ToString(SaveOptions.DisableFormatting));
            }
            else
            {
                await Copy(e, zip);
            }
            if (chunk.Full) await chunk.DrainAsync(output, ct);
        }
        if (styleBook.Changed)
        {
            Part(zip, "xl/styles.xml", Declaration + styleBook.Document.Root!.ToString(SaveOptions.DisableFormatting));
        }
        else
        {
            await Copy(source.GetEntry("xl/styles.xml")!, zip);
        }
        return count;
    }

    private static async Task Copy(ZipArchiveEntry e, ZipArchive zip)
    {
        var copy = zip.CreateEntry(e.FullName, CompressionLevel.Optimal);
        copy.LastWriteTime = e.LastWriteTime;
        await using var from = e.Open();
        await using var to = copy.Open();
        from.CopyTo(to);
    }

    /// <summary>The template sheet's XML before and after the data rows: heading rows kept, rows below them and the stale dimension dropped.</summary>
    private static (string Prefix, string Suffix) SplitSheet(XDocument sheet, int headerRows)
    {
        var root = sheet.Root!;
        root.Element(XlsxTemplate.Main + "dimension")?.Remove();
        var sheetData = root.Element(XlsxTemplate.Main + "sheetData");
        if (sheetData is null)
        {
            sheetData = new XElement(XlsxTemplate.Main + "sheetData");
            root.Add(sheetData);
        }
        foreach (var (number, row) in XlsxTemplate.Rows(sheet).ToList())
        {
            if (number > headerRows) row.Remove();
        }
        sheetData.Add(new XComment(Marker));
        var xml = root.ToString(SaveOptions.DisableFormatting);
        var at = xml.IndexOf("<!--" + Marker + "-->", StringComparison.Ordinal);
        return (Declaration + xml[..at], xml[(at + Marker.Length + 7)..]);
    }

    private static async Task<long> RowsAsync(StreamWriter w, ChunkStream chunk, Stream output, IAsyncEnumerable<ExportCell[]> rows,
        int firstRow, string[] columns, CellStyles styles, string rowAttributes, CancellationToken ct)
    {
        long count = 0;
        var number = firstRow;
        var digits = new char[64];
        await foreach (var row in rows.WithCancellation(ct))
        {
            count++;
            ExportWriter.CheckWidth(row, columns.Length, count);
            if (number > MaxRows)
            {
                throw new InvalidOperationException($"Excelの行数の上限（{MaxRows:N0}行）を超えます。CSVで出力してください。");
            }
            var r = Format(digits, number);
            w.Write("<row r=\""); w.Write(r); w.Write('"'); w.Write(rowAttributes); w.Write('>');
            for (var i = 0; i < row.Length; i++)
            {
                var cell = row[i];
                switch (cell.Kind)
                {
                    case CellKind.Empty:
                        // A styled empty cell keeps the template's borders and fill.
                        if (styles.Text[i].Length == 0) continue;
                        Open(w, columns[i], r, styles.Text[i]);
                        w.Write("/>");
                        break;
                    case CellKind.Text:
                        Open(w, columns[i], r, styles.Text[i]);
                        w.Write(" t=\"inlineStr\"><is><t");
                        WriteText(w, CsvCell.Neutralize(cell.Text));
                        w.Write("</t></is></c>");
                        break;
                    case CellKind.Number:
                        Open(w, columns[i], r, styles.Text[i]);
                        w.Write("><v>");
                        cell.Number.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
                        w.Write(digits, 0, n);
                        w.Write("</v></c>");
                        break;
                    case CellKind.Date or CellKind.DateTime:
                        Open(w, columns[i], r, cell.Kind == CellKind.Date ? styles.Date(i) : styles.Instant(i));
                        w.Write("><v>");
                        var serial = (cell.JapanTime - Epoch).TotalDays;
                        serial.TryFormat(digits, out var d, cell.Kind == CellKind.Date ? "0" : "0.##########", CultureInfo.InvariantCulture);
                        w.Write(digits, 0, d);
                        w.Write("</v></c>");
                        break;
                    case CellKind.Boolean:
                        Open(w, columns[i], r, styles.Text[i]);
                        w.Write(cell.Boolean ? " t=\"b\"><v>1</v></c>" : " t=\"b\"><v>0</v></c>");
                        break;
                }
            }
            w.Write("</row>");
            number++;
            if (chunk.Full) await chunk.DrainAsync(output, ct);
        }
        return count;
    }

    private static void Open(StreamWriter w, string column, ReadOnlySpan<char> row, string style)
    {
        w.Write("<c r=\""); w.Write(column); w.Write(row); w.Write('"'); w.Write(style);
    }

    private static ReadOnlySpan<char> Format(char[] buffer, int value)
    {
        value.TryFormat(buffer.AsSpan(32), out var n, default, CultureInfo.InvariantCulture);
        return buffer.AsSpan(32, n);
    }

    /// <summary>
    /// Closes the &lt;t start tag and writes the text escaped for XML. Characters XML cannot carry
    /// (control characters, CR, U+FFFE) and a literal "_x" become Excel's _xHHHH_ escapes, so they read back as written.
    /// </summary>
    private static void WriteText(StreamWriter w, string s)
    {
        w.Write(s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])) ? " xml:space=\"preserve\">" : ">");
        if (s.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')) s = WithoutLoneSurrogates(s);
        var span = s.AsSpan();
        while (true)
        {
            var i = span.IndexOfAny(Special);
            if (i < 0)
            {
                w.Write(span);
                return;
            }
            w.Write(span[..i]);
            var c = span[i];
            switch (c)
            {
                case '&': w.Write("&amp;"); break;
                case '<': w.Write("&lt;"); break;
                case '>': w.Write("&gt;"); break;
                case '_':
                    // Only "_xHHHH_" needs its underscore escaped, or Excel would decode it.
                    if (span.Length >= i + 7 && span[i + 1] == 'x' && span[i + 6] == '_' && span.Slice(i + 2, 4).ContainsAnyExcept(HexDigits) == false) w.Write("_x005F_");
                    else w.Write('_');
                    break;
                default:
                    w.Write("_x"); w.Write(((int)c).ToString("X4", CultureInfo.InvariantCulture)); w.Write('_');
                    break;
            }
            span = span[(i + 1)..];
        }
    }

    /// <summary>A half of a surrogate pair alone is not a character and XML cannot carry it: U+FFFD instead.</summary>
    private static string WithoutLoneSurrogates(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                sb.Append(c).Append(s[++i]);
            }
            else
            {
                sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb.ToString();
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789ABCDEFabcdef");

    private static void Part(ZipArchive zip, string name, string xml)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        s.Write(Utf8.GetBytes(xml));
    }

    /// <summary>Column letters A, B, … Z, AA, … for the first <paramref name="count"/> columns.</summary>
    internal static string[] Letters(int count)
    {
        var letters = new string[count];
        for (var i = 0; i < count; i++)
        {
            var n = i + 1;
            var s = "";
            while (n > 0)
            {
                n--;
                s = (char)('A' + n % 26) + s;
                n /= 26;
            }
            letters[i] = s;
        }
        return letters;
    }
}
