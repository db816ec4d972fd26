using System.Globalization;
using System.Text;
using MiniExcelLibs;

namespace Madoguchi.Web.Features.Catalog.Import;

/// <summary>
/// Streams the rows of an inventory file (CSV in any of the encodings municipalities use, or XLSX),
/// one string array per row, without reading the whole file into memory.
/// </summary>
public static class InventoryFileReader
{
    static InventoryFileReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>XLSX files are zip archives: they start with "PK\x03\x04".</summary>
    public static bool IsXlsx(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /// <summary>Every row of the file; CSV quoting problems are passed to <paramref name="onBadData"/> with the physical row.</summary>
    public static IEnumerable<string[]> ReadRows(string path, Action<int, string>? onBadData = null)
        => IsXlsx(path) ? ReadXlsx(path) : ReadCsv(path, onBadData);

    /// <summary>
    /// Guesses the encoding from the first bytes: a BOM wins; then UTF-16 without BOM by its zero
    /// bytes; then strict UTF-8; anything else is Shift_JIS (cp932), the other encoding Japanese
    /// spreadsheets save in.
    /// </summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> sample)
    {
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return new UTF8Encoding(true);
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return new UnicodeEncoding(false, true);
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return new UnicodeEncoding(true, true);
        int evenZeros = 0, oddZeros = 0;
        for (var i = 0; i < sample.Length; i++)
        {
            if (sample[i] != 0) continue;
            if (i % 2 == 0) evenZeros++; else oddZeros++;
        }
        // ASCII punctuation (commas, digits, line ends) in UTF-16 leaves a zero in every other byte.
        if (oddZeros > sample.Length / 8 && oddZeros > evenZeros * 4) return new UnicodeEncoding(false, false);
        if (evenZeros > sample.Length / 8 && evenZeros > oddZeros * 4) return new UnicodeEncoding(true, false);
        // A multi-byte character may be cut at the end of the sample: ignore up to 3 trailing bytes.
        var strict = new UTF8Encoding(false, true);
        for (var cut = 0; cut <= Math.Min(3, sample.Length); cut++)
        {
            try
            {
                strict.GetCharCount(sample[..^cut]);
                return new UTF8Encoding(false);
            }
            catch (DecoderFallbackException)
            {
            }
        }
        return Encoding.GetEncoding(932);
    }

    private static IEnumerable<string[]> ReadCsv(string path, Action<int, string>? onBadData)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        var sample = new byte[Math.Min(64 * 1024, stream.Length)];
        stream.ReadExactly(sample);
        stream.Position = 0;
        var encoding = DetectEncoding(sample);
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, 64 * 1024);
        foreach (var row in ParseCsv(reader, onBadData)) yield return row;
    }

    /// <summary>
    /// RFC 4180 rows from a reader: quoted fields with "" escapes and line breaks, CRLF, LF or CR.
    /// A stray quote inside an unquoted field, or a quote left open at the end, is reported by row.
    /// </summary>
    public static IEnumerable<string[]> ParseCsv(TextReader reader, Action<int, string>? onBadData = null)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var row = 1;
        var inQuotes = false;
        var quoted = false;
        var any = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    field.Append((char)c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !quoted:
                    inQuotes = quoted = true;
                    break;
                case '"':
                    onBadData?.Invoke(row, field.ToString());
                    field.Append('"');
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quoted = false;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    fields.Add(field.ToString());
                    field.Clear();
                    quoted = false;
                    yield return [.. fields];
                    fields.Clear();
                    any = false;
                    row++;
                    break;
                default:
                    field.Append((char)c);
                    break;
            }
        }
        if (inQuotes) onBadData?.Invoke(row, field.ToString());
        if (any || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return [.. fields];
        }
    }

    private static IEnumerable<string[]> ReadXlsx(string path)
    {
        // MiniExcel streams the sheet; without a header row its keys are column letters A, B, … in order.
        // The type is given, not guessed from the extension: the file was recognised by its first bytes,
        // whatever it is called. A damaged or cut-off file fails while it is read; the reader says so
        // in one sentence instead of the archive library's exception.
        using var rows = MiniExcel.Query(path, useHeaderRow: false, excelType: ExcelType.XLSX).GetEnumerator();
        while (true)
        {
            IDictionary<string, object?> row;
            try
            {
                if (!rows.MoveNext()) yield break;
                row = (IDictionary<string, object?>)rows.Current;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or System.Xml.XmlException or NotSupportedException or InvalidOperationException or InvalidCastException)
            {
                throw new ImportRefusedException("このファイルは Excel（.xlsx）のファイルとして読めません（壊れているか、途中までしかありません）。Excel で開いて「名前を付けて保存」で .xlsx または CSV に保存し直してから取り込んでください。");
            }
            var cells = new string[row.Count];
            var i = 0;
            foreach (var value in row.Values)
            {
                cells[i++] = value switch
                {
                    null => "",
                    string s => s,
                    DateTime d => d.TimeOfDay == TimeSpan.Zero ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("s", CultureInfo.InvariantCulture),
                    double d => d.ToString(CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    var other => other.ToString() ?? "",
                };
            }
            // Trailing empty cells are noise of the sheet's used range.
            var length = cells.Length;
            while (length > 0 && cells[length - 1].Length == 0) length--;
            yield return length == cells.Length ? cells : cells[..length];
        }
    }
}
