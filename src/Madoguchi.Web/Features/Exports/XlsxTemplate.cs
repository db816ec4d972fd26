using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;

namespace Madoguchi.Web.Features.Exports;

/// <summary>An uploaded workbook that cannot serve as a template, with a message staff can act on.</summary>
public sealed class TemplateRefusedException(string message) : Exception(message);

/// <summary>
/// A department's own ledger workbook used as the layout of XLSX exports: the rows are written into
/// one of its sheets under its heading rows, and every other part of the file (styles, column widths,
/// merged title cells, print settings, other sheets) is copied as it was uploaded.
/// </summary>
public sealed class XlsxTemplate
{
    internal static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    internal static readonly XNamespace RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    internal static readonly XNamespace PackageRels = "http://schemas.openxmlformats.org/package/2006/relationships";
    /// <summary>Heading rows beyond this are surely not headings: the upload is a filled ledger, not a template.</summary>
    public const int MaxHeaderRows = 50;

    private XlsxTemplate(byte[] content, string sheetName, string sheetPath, int headerRows, IReadOnlyList<string> sheetNames,
        IReadOnlyList<string> headings, IReadOnlyDictionary<int, int> dataStyles, int? dataRowStyle, string dataRowAttributes)
    {
        Content = content;
        SheetName = sheetName;
        SheetPath = sheetPath;
        HeaderRows = headerRows;
        SheetNames = sheetNames;
        Headings = headings;
        DataStyles = dataStyles;
        DataRowStyle = dataRowStyle;
        DataRowAttributes = dataRowAttributes;
    }

    public byte[] Content { get; }
    public string SheetName { get; }
    /// <summary>The sheet's part in the package, e.g. xl/worksheets/sheet1.xml.</summary>
    public string SheetPath { get; }
    /// <summary>Rows kept from the template above the data (title, headings); data starts on the next row.</summary>
    public int HeaderRows { get; }
    public IReadOnlyList<string> SheetNames { get; }
    /// <summary>The texts of the last heading row, by column (A = 0), empty where a column has none.</summary>
    public IReadOnlyList<string> Headings { get; }
    /// <summary>Cell style (cellXfs index) of each column of the template's first data row, when it has one.</summary>
    internal IReadOnlyDictionary<int, int> DataStyles { get; }
    internal int? DataRowStyle { get; }
    /// <summary>Row height attributes of the template's first data row (ht, customHeight), repeated on every data row.</summary>
    internal string DataRowAttributes { get; }
    public bool HasDataRowStyle => DataStyles.Count > 0 || DataRowStyle is not null;

    /// <summary>
    /// Reads and checks a workbook. <paramref name="sheetName"/> null means the first sheet;
    /// <paramref name="headerRows"/> null means the last row that holds a value.
    /// </summary>
    /// <exception cref="TemplateRefusedException">Not an xlsx, no such sheet, or no heading row.</exception>
    public static XlsxTemplate Load(byte[] content, string? sheetName = null, int? headerRows = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            var workbook = ReadXml(zip, "xl/workbook.xml") ?? throw new TemplateRefusedException("Excelブック（.xlsx）ではありません（xl/workbook.xml がありません）。Excelで .xlsx として保存し直してください。");
            var rels = ReadXml(zip, "xl/_rels/workbook.xml.rels") ?? throw new TemplateRefusedException("ブックの構成（xl/_rels/workbook.xml.rels）が読めません。Excelで保存し直してください。");
            if (zip.GetEntry("xl/styles.xml") is null) throw new TemplateRefusedException("ブックに書式（xl/styles.xml）がありません。Excelで .xlsx として保存し直してください。");
            var sheets = workbook.Root!.Element(Main + "sheets")?.Elements(Main + "sheet")
                .Select(s => (Name: (string?)s.Attribute("name") ?? "", Rel: (string?)s.Attribute(RelNs + "id") ?? "")).ToList() ?? [];
            if (sheets.Count == 0) throw new TemplateRefusedException("ブックにシートがありません。");
            var names = sheets.Select(s => s.Name).ToList();
            var chosen = string.IsNullOrWhiteSpace(sheetName) ? sheets[0] : sheets.FirstOrDefault(s => s.Name == sheetName.Trim());
            if (chosen.Name is null)
            {
                throw new TemplateRefusedException($"シート「{sheetName}」がありません。ブックのシートは「{string.Join("」「", names)}」です。シート名を確かめてください。");
            }
            var target = rels.Root!.Elements(PackageRels + "Relationship").FirstOrDefault(r => (string?)r.Attribute("Id") == chosen.Rel)?.Attribute("Target")?.Value
                ?? throw new TemplateRefusedException($"シート「{chosen.Name}」の中身が見つかりません。Excelで保存し直してください。");
            var path = target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
            var sheet = ReadXml(zip, path) ?? throw new TemplateRefusedException($"シート「{chosen.Name}」（{path}）が読めません。グラフシートではなく表のシートを選んでください。");
            var shared = ReadSharedStrings(zip);

            var rows = Rows(sheet).ToList();
            var lastWithValue = rows.Where(r => r.Element.Elements(Main + "c").Any(HasValue)).Select(r => r.Number).DefaultIfEmpty(0).Max();
            var header = headerRows ?? lastWithValue;
            if (header < 1)
            {
                throw new TemplateRefusedException($"シート「{chosen.Name}」に見出し行がありません。表題と見出しを入れたシートを選ぶか、見出しの行数を指定してください。");
            }
            if (header > MaxHeaderRows)
            {
                throw new TemplateRefusedException($"見出しが {header} 行あります（上限 {MaxHeaderRows} 行）。データを消して見出しだけにしたブックを登録してください。");
            }
            var headingRow = rows.FirstOrDefault(r => r.Number == header).Element;
            var headings = new List<string>();
            if (headingRow is not null)
            {
                foreach (var c in headingRow.Elements(Main + "c"))
                {
                    var col = ColumnIndex((string?)c.Attribute("r"), headings.Count);
                    while (headings.Count < col) headings.Add("");
                    headings.Add(CellText(c, shared));
                }
            }
            // The row just under the headings, when present, is the model for data cells.
            var dataRow = rows.FirstOrDefault(r => r.Number == header + 1).Element;
            var styles = new Dictionary<int, int>();
            int? rowStyle = null;
            var rowAttributes = "";
            if (dataRow is not null)
            {
                var position = 0;
                foreach (var c in dataRow.Elements(Main + "c"))
                {
                    position = ColumnIndex((string?)c.Attribute("r"), position);
                    if (int.TryParse((string?)c.Attribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0) styles[position] = s;
                    position++;
                }
                if ((string?)dataRow.Attribute("customFormat") is "1" or "true"
                    && int.TryParse((string?)dataRow.Attribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out var rs)) rowStyle = rs;
                if ((string?)dataRow.Attribute("customHeight") is "1" or "true" && (string?)dataRow.Attribute("ht") is { } ht
                    && double.TryParse(ht, NumberStyles.Float, CultureInfo.InvariantCulture, out var height))
                {
                    rowAttributes = $" ht=\"{height.ToString(CultureInfo.InvariantCulture)}\" customHeight=\"1\"";
                }
            }
            return new XlsxTemplate(content, chosen.Name, path, header, names, headings, styles, rowStyle, rowAttributes);
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException)
        {
            throw new TemplateRefusedException("ファイルが壊れているか、Excelブック（.xlsx）ではありません。Excelで .xlsx として保存し直してください。");
        }
    }

    /// <summary>The rows of a sheet with their 1-based numbers (r, or the position after the previous row).</summary>
    internal static IEnumerable<(int Number, XElement Element)> Rows(XDocument sheet)
    {
        var number = 0;
        foreach (var row in sheet.Root!.Element(Main + "sheetData")?.Elements(Main + "row") ?? [])
        {
            number = int.TryParse((string?)row.Attribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : number + 1;
            yield return (number, row);
        }
    }

    private static bool HasValue(XElement c)
        => c.Element(Main + "f") is not null
        || c.Element(Main + "v") is { Value.Length: > 0 }
        || c.Element(Main + "is")?.Descendants(Main + "t").Any(t => t.Value.Length > 0) == true;

    private static string CellText(XElement c, List<string> shared)
    {
        var type = (string?)c.Attribute("t");
        if (type == "inlineStr") return c.Element(Main + "is") is { } inline ? RichText(inline) : "";
        var v = c.Element(Main + "v")?.Value ?? "";
        return type == "s" && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < shared.Count ? shared[i] : v;
    }

    /// <summary>0-based column of a cell reference ("C5" → 2); the fallback when the cell has none.</summary>
    internal static int ColumnIndex(string? reference, int fallback)
    {
        if (string.IsNullOrEmpty(reference)) return fallback;
        var col = 0;
        foreach (var ch in reference)
        {
            if (ch is >= 'A' and <= 'Z') col = col * 26 + (ch - 'A' + 1);
            else break;
        }
        return col == 0 ? fallback : col - 1;
    }

    internal static XDocument? ReadXml(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(path);
        if (entry is null) return null;
        using var s = entry.Open();
        return XDocument.Load(s, LoadOptions.PreserveWhitespace);
    }

    private static List<string> ReadSharedStrings(ZipArchive zip)
    {
        var sst = ReadXml(zip, "xl/sharedStrings.xml");
        return sst?.Root?.Elements(Main + "si").Select(RichText).ToList() ?? [];
    }

    /// <summary>The text of a string item: its runs, without the furigana (rPh) Japanese Excel stores beside it.</summary>
    private static string RichText(XElement si) => string.Concat(si.Elements(Main + "t").Concat(si.Elements(Main + "r").Elements(Main + "t")).Select(t => t.Value));
}
