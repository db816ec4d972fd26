using System.Text;
using Madoguchi.Web.Features.Exports;
using Microsoft.VisualBasic.FileIO;

namespace Madoguchi.Tests.Features.Exports;

public sealed class CsvExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly string[] Headings = ["受付番号", "氏名", "受付日", "受付日時", "手数料", "交付済", "備考"];

    static CsvExportTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static async Task<(byte[] Bytes, ExportOutcome Outcome)> WriteAsync(CsvEncoding encoding, params ExportCell[][] rows)
    {
        using var output = new MemoryStream();
        var outcome = await ExportWriter.WriteCsvAsync(output, Headings, TemplateWorkbook.Async(rows), encoding, Ct);
        return (output.ToArray(), outcome);
    }

    private static List<string[]> Parse(string text)
    {
        using var parser = new TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData) rows.Add(parser.ReadFields()!);
        return rows;
    }

    [Fact]
    public async Task Utf8_csv_starts_with_a_bom_and_reads_back_as_written()
    {
        var (bytes, outcome) = await WriteAsync(CsvEncoding.Utf8Bom,
            ["R7-0001", "𠮷田 葛󠄀子", new DateOnly(2025, 4, 1), new DateTimeOffset(2025, 4, 1, 0, 30, 0, TimeSpan.Zero), 300m, true, "窓口, 2階"],
            ["R7-0002", "山田 \"はな\"", ExportCell.Empty, (DateTimeOffset?)null, 1234.5m, false, "1行目\r\n2行目"],
            ["R7-0003", " 前後に空白 ", new DateOnly(2026, 3, 31), new DateTimeOffset(2026, 3, 31, 23, 59, 59, TimeSpan.FromHours(9)), 0, (bool?)null, ""]);

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Equal(3, outcome.Rows);
        Assert.True(outcome.Exact);
        var rows = Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(4, rows.Count);
        Assert.Equal(Headings, rows[0]);
        // The instant 00:30 UTC is 09:30 in Japan.
        Assert.Equal(["R7-0001", "𠮷田 葛󠄀子", "2025-04-01", "2025-04-01 09:30:00", "300", "TRUE", "窓口, 2階"], rows[1]);
        Assert.Equal(["R7-0002", "山田 \"はな\"", "", "", "1234.5", "FALSE", "1行目\r\n2行目"], rows[2]);
        Assert.Equal(["R7-0003", " 前後に空白 ", "2026-03-31", "2026-03-31 23:59:59", "0", "", ""], rows[3]);
        Assert.Contains("\r\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cp932_csv_reports_each_character_shift_jis_lacks_with_its_row_and_column_and_writes_a_visible_mark()
    {
        var (bytes, outcome) = await WriteAsync(CsvEncoding.Cp932,
            ["R7-0001", "山田 太郎", new DateOnly(2025, 4, 1), ExportCell.Empty, 300m, true, "①髙﨑"],
            ["R7-0002", "𠮷田 花子", new DateOnly(2025, 4, 2), ExportCell.Empty, 300m, true, "✕ 不備あり"],
            ["R7-0003", "葛󠄀飾 次郎", new DateOnly(2025, 4, 3), ExportCell.Empty, 300m, false, ""]);

        Assert.False(outcome.Exact);
        Assert.Equal(3, outcome.ReplacementCount);
        var r = outcome.Replacements;
        Assert.Equal(new Replacement(2, "氏名", "𠮷"), r[0]);
        Assert.Equal("U+20BB7", r[0].CodePoint);
        Assert.Equal("2行目「氏名」: 「𠮷」(U+20BB7) は Shift_JIS（cp932）にないため 〓 にしました", r[0].Message);
        Assert.Equal(new Replacement(2, "備考", "✕"), r[1]);
        Assert.Equal("U+2715", r[1].CodePoint);
        // The ideographic variation selector goes, the base character 葛 stays.
        Assert.Equal(new Replacement(3, "氏名", "\U000E0100"), r[2]);
        Assert.Equal("U+E0100", r[2].CodePoint);

        var text = Encoding.GetEncoding(932).GetString(bytes);
        Assert.DoesNotContain("?", text, StringComparison.Ordinal);
        var rows = Parse(text);
        Assert.Equal("①髙﨑", rows[1][6]); // NEC and IBM extensions are in cp932: kept
        Assert.Equal("〓田 花子", rows[2][1]);
        Assert.Equal("〓 不備あり", rows[2][6]);
        Assert.Equal("葛〓飾 次郎", rows[3][1]);
    }

    [Fact]
    public async Task Cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised_but_numbers_are_not()
    {
        var (bytes, _) = await WriteAsync(CsvEncoding.Utf8Bom,
            ["=1+1", "+81-3-1234-5678", "-", "@SUM(A1)", -5m, true, "\t=cmd"],
            ["=HYPERLINK(\"http://x.example\",\"click\")", "\r=1", "普通の値", "a=b", 0, false, "'既に引用符"]);

        var rows = Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(["'=1+1", "'+81-3-1234-5678", "'-", "'@SUM(A1)", "-5", "TRUE", "'\t=cmd"], rows[1]);
        Assert.Equal(["'=HYPERLINK(\"http://x.example\",\"click\")", "'\r=1", "普通の値", "a=b", "0", "FALSE", "'既に引用符"], rows[2]);
    }

    [Fact]
    public async Task A_row_with_the_wrong_number_of_cells_is_refused_with_its_row_number()
    {
        using var output = new MemoryStream();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ExportWriter.WriteCsvAsync(output, Headings,
            TemplateWorkbook.Async([["R7-0001", "山田", ExportCell.Empty, ExportCell.Empty, 1, true, ""], ["R7-0002", "山田"]]), CsvEncoding.Utf8Bom, Ct));
        Assert.StartsWith("2行目のセルの数（2）が列の数（7）と合いません", e.Message, StringComparison.Ordinal);
    }
}
