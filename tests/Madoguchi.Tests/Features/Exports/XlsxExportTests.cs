using System.Xml.Linq;
using Madoguchi.Web.Features.Exports;
using MiniExcelLibs;

namespace Madoguchi.Tests.Features.Exports;

public sealed class XlsxExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly XNamespace M = TemplateWorkbook.M;
    private static readonly string[] Headings = ["受付番号", "氏名", "受付日", "手数料"];

    private static async Task<byte[]> WriteAsync(XlsxTemplate? template, IReadOnlyList<string> headings, params ExportCell[][] rows)
    {
        using var output = new MemoryStream();
        var outcome = await ExportWriter.WriteXlsxAsync(output, headings, TemplateWorkbook.Async(rows), template, Ct);
        Assert.Equal(rows.Length, outcome.Rows);
        return output.ToArray();
    }

    private static List<XElement> Rows(byte[] xlsx, string sheet = "xl/worksheets/sheet1.xml")
        => TemplateWorkbook.Part(xlsx, sheet).Root!.Element(M + "sheetData")!.Elements(M + "row").ToList();

    private static XElement Cell(XElement row, string reference) => row.Elements(M + "c").Single(c => (string?)c.Attribute("r") == reference);

    [Fact]
    public async Task A_template_with_a_merged_title_japanese_headings_and_styled_cells_is_filled_under_its_headings_and_keeps_its_formatting()
    {
        var bytes = TemplateWorkbook.Build();
        var template = XlsxTemplate.Load(bytes);
        Assert.Equal(("台帳", 2, true), (template.SheetName, template.HeaderRows, template.HasDataRowStyle));
        Assert.Equal(Headings, template.Headings); // 氏名's furigana (シメイ) is not part of the heading

        var xlsx = await WriteAsync(template, Headings,
            ["R7-0001", "山田 太郎", new DateOnly(2025, 4, 1), 300m],
            ["R7-0002", "𠮷田 花子", new DateOnly(2025, 4, 2), 1200m],
            ["R7-0003", "=危険な値", ExportCell.Empty, ExportCell.Empty]);

        var original = TemplateWorkbook.Part(bytes, "xl/worksheets/sheet1.xml");
        var sheet = TemplateWorkbook.Part(xlsx, "xl/worksheets/sheet1.xml").Root!;
        var rows = Rows(xlsx);
        // Title and heading rows exactly as uploaded; data from row 3 with the template's row-3 styles and height.
        Assert.Equal(5, rows.Count);
        var originalRows = original.Root!.Element(M + "sheetData")!.Elements(M + "row").ToList();
        Assert.True(XNode.DeepEquals(originalRows[0], rows[0]));
        Assert.True(XNode.DeepEquals(originalRows[1], rows[1]));
        Assert.Equal(["3", "4", "5"], rows.Skip(2).Select(r => (string)r.Attribute("r")!));
        Assert.All(rows.Skip(2), r => Assert.Equal("20", (string?)r.Attribute("ht")));
        foreach (var n in new[] { 3, 4, 5 })
        {
            var row = rows[n - 1];
            Assert.Equal(["3", "3", "4", "5"], new[] { "A", "B", "C", "D" }.Select(c => (string?)Cell(row, c + n).Attribute("s")));
        }
        Assert.Equal("inlineStr", (string?)Cell(rows[2], "B3").Attribute("t"));
        Assert.Equal("山田 太郎", Cell(rows[2], "B3").Value);
        Assert.Equal("45748", Cell(rows[2], "C3").Value); // 2025-04-01 as an Excel date serial
        Assert.Equal("1200", Cell(rows[3], "D4").Value);
        Assert.Equal("'=危険な値", Cell(rows[4], "B5").Value);
        Assert.Empty(sheet.Descendants(M + "f"));
        // Merged title, column widths and print settings survive; the stale dimension is gone.
        Assert.Equal("A1:D1", (string?)sheet.Element(M + "mergeCells")!.Element(M + "mergeCell")!.Attribute("ref"));
        Assert.True(XNode.DeepEquals(original.Root!.Element(M + "cols"), sheet.Element(M + "cols")));
        Assert.Equal("landscape", (string?)sheet.Element(M + "pageSetup")!.Attribute("orientation"));
        Assert.Null(sheet.Element(M + "dimension"));
        // Styles untouched (the date column's model cell already has a date format), other parts copied.
        Assert.True(XNode.DeepEquals(XDocument.Parse(TemplateWorkbook.Styles.Trim()).Root, TemplateWorkbook.Part(xlsx, "xl/styles.xml").Root));
        Assert.Equal("窓口での注意事項", TemplateWorkbook.Part(xlsx, "xl/worksheets/sheet2.xml").Root!.Value);
        Assert.Contains("台帳!$1:$2", TemplateWorkbook.Part(xlsx, "xl/workbook.xml").Root!.Value, StringComparison.Ordinal);

        // A spreadsheet reader sees the values under the headings.
        using var read = new MemoryStream(xlsx);
        var values = MiniExcel.Query(read, useHeaderRow: false, sheetName: "台帳", excelType: ExcelType.XLSX, startCell: "A3").Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(["R7-0001", "R7-0002", "R7-0003"], values.Select(v => v["A"]?.ToString()));
        Assert.Equal("𠮷田 花子", values[1]["B"]);
        Assert.Equal(300d, Convert.ToDouble(values[0]["D"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Without_a_model_data_row_data_is_plain_not_heading_styled_and_dates_get_date_formats()
    {
        var template = XlsxTemplate.Load(TemplateWorkbook.Build(withDataRow: false, withCalcChain: true));
        Assert.Equal(2, template.HeaderRows);
        Assert.False(template.HasDataRowStyle);

        var xlsx = await WriteAsync(template, Headings,
            ["R7-0001", "山田 太郎", new DateOnly(2025, 4, 1), new DateTimeOffset(2025, 4, 1, 0, 30, 0, TimeSpan.Zero)]);

        var row = Rows(xlsx)[2];
        Assert.Null(Cell(row, "A3").Attribute("s")); // not the heading's bold blue style 2
        Assert.Null(row.Attribute("ht"));
        var styles = TemplateWorkbook.Part(xlsx, "xl/styles.xml").Root!;
        var xfs = styles.Element(M + "cellXfs")!.Elements(M + "xf").ToList();
        Assert.Equal(8, xfs.Count);
        Assert.Equal("8", (string?)styles.Element(M + "cellXfs")!.Attribute("count"));
        var date = xfs[int.Parse((string)Cell(row, "C3").Attribute("s")!, System.Globalization.CultureInfo.InvariantCulture)];
        var instant = xfs[int.Parse((string)Cell(row, "D3").Attribute("s")!, System.Globalization.CultureInfo.InvariantCulture)];
        Assert.Equal("14", (string?)date.Attribute("numFmtId"));
        var instantFormat = (string)instant.Attribute("numFmtId")!;
        Assert.Equal("yyyy/m/d h:mm", styles.Element(M + "numFmts")!.Elements(M + "numFmt").Single(f => (string?)f.Attribute("numFmtId") == instantFormat).Attribute("formatCode")!.Value);
        Assert.Equal("166", instantFormat); // after the template's own 164 and 165
        // 09:30 in Japan on 2025-04-01.
        Assert.Equal(45748 + 9.5 / 24, double.Parse(Cell(row, "D3").Value, System.Globalization.CultureInfo.InvariantCulture), 9);
        // The stale calculation chain is dropped with its references, so Excel does not "repair" the file.
        Assert.DoesNotContain("xl/calcChain.xml", TemplateWorkbook.PartNames(xlsx));
        Assert.DoesNotContain("calcChain", TemplateWorkbook.Part(xlsx, "[Content_Types].xml").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("calcChain", TemplateWorkbook.Part(xlsx, "xl/_rels/workbook.xml.rels").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_template_the_workbook_has_a_bold_frozen_heading_row_real_dates_and_no_formulas()
    {
        var xlsx = await WriteAsync(null, ["受付番号", "氏名", "受付日", "手数料", "交付済"],
            ["R7-0001", "山田 太郎", new DateOnly(2025, 4, 1), 300m, true],
            ["R7-0002", "+81-3-1234-5678", new DateOnly(2025, 4, 2), -5m, false]);

        var sheet = TemplateWorkbook.Part(xlsx, "xl/worksheets/sheet1.xml").Root!;
        var pane = sheet.Descendants(M + "pane").Single();
        Assert.Equal(("1", "frozen", "A2"), ((string?)pane.Attribute("ySplit"), (string?)pane.Attribute("state"), (string?)pane.Attribute("topLeftCell")));
        var rows = Rows(xlsx);
        Assert.All(rows[0].Elements(M + "c"), c => Assert.Equal("1", (string?)c.Attribute("s")));
        var styles = TemplateWorkbook.Part(xlsx, "xl/styles.xml").Root!;
        var xfs = styles.Element(M + "cellXfs")!.Elements(M + "xf").ToList();
        var bold = styles.Element(M + "fonts")!.Elements(M + "font").ElementAt(int.Parse((string)xfs[1].Attribute("fontId")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(bold.Element(M + "b"));
        Assert.Equal("14", (string?)xfs[int.Parse((string)Cell(rows[1], "C2").Attribute("s")!, System.Globalization.CultureInfo.InvariantCulture)].Attribute("numFmtId"));
        Assert.Equal("'+81-3-1234-5678", Cell(rows[2], "B3").Value);
        Assert.Equal("-5", Cell(rows[2], "D3").Value); // a number, not text: not neutralised
        Assert.Empty(sheet.Descendants(M + "f"));

        using var read = new MemoryStream(xlsx);
        var values = MiniExcel.Query(read, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(2, values.Count);
        Assert.Equal("山田 太郎", values[0]["氏名"]);
        Assert.Equal(new DateTime(2025, 4, 2), values[1]["受付日"]);
        Assert.Equal(true, values[0]["交付済"]);
    }

    [Fact]
    public async Task Text_xml_cannot_carry_is_escaped_so_it_reads_back_as_written()
    {
        var xlsx = await WriteAsync(null, ["備考"], ["a < b & c > d"], ["改行\r\nあり"], ["制御\u0001文字"], ["_x0041_ はそのまま"]);

        using var read = new MemoryStream(xlsx);
        var values = MiniExcel.Query(read, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().Select(v => v["備考"]).ToList();
        Assert.Equal(["a < b & c > d", "改行\r\nあり", "制御\u0001文字", "_x0041_ はそのまま"], values);
    }

    [Fact]
    public void Uploads_that_are_not_usable_templates_are_refused_with_a_message_that_says_what_to_do()
    {
        var notXlsx = Assert.Throws<TemplateRefusedException>(() => XlsxTemplate.Load("受付番号,氏名\r\n"u8.ToArray()));
        Assert.Contains("保存し直してください", notXlsx.Message, StringComparison.Ordinal);
        var noSheet = Assert.Throws<TemplateRefusedException>(() => XlsxTemplate.Load(TemplateWorkbook.Build(), "受付簿"));
        Assert.Equal("シート「受付簿」がありません。ブックのシートは「台帳」「メモ」です。シート名を確かめてください。", noSheet.Message);
        var named = XlsxTemplate.Load(TemplateWorkbook.Build(), "メモ");
        Assert.Equal(("メモ", "xl/worksheets/sheet2.xml", 1), (named.SheetName, named.SheetPath, named.HeaderRows));
    }
}
