using System.Globalization;
using System.Xml.Linq;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// The template's styles.xml, extended only where a date needs it: a date or an instant in a column
/// whose model cell has no date format gets a copy of that cell's style (same font, fill, border)
/// with a date format, so it shows as 2025/4/1 rather than as 45748.
/// </summary>
internal sealed class StyleBook
{
    private const string InstantFormat = "yyyy/m/d h:mm";
    private static readonly XNamespace M = XlsxTemplate.Main;
    private readonly XElement _cellXfs;
    private readonly Dictionary<(int Base, int Format), int> _derived = [];

    public StyleBook(XDocument? styles)
    {
        Document = styles ?? throw new TemplateRefusedException("ブックに書式（xl/styles.xml）がありません。Excelで保存し直してください。");
        var root = Document.Root!;
        _cellXfs = root.Element(M + "cellXfs") ?? throw new TemplateRefusedException("ブックのセルの書式（cellXfs）が読めません。Excelで保存し直してください。");
    }

    public XDocument Document { get; }
    public bool Changed { get; private set; }

    public XlsxWriter.CellStyles ForColumns(XlsxTemplate template, int columns)
    {
        // Without a model data row, data cells are plain: the heading's bold or fill is not for data.
        int Model(int i) => template.DataStyles.TryGetValue(i, out var s) ? s : template.DataRowStyle ?? 0;
        var text = Enumerable.Range(0, columns).Select(i => Attribute(Model(i))).ToArray();
        return new XlsxWriter.CellStyles(text,
            i => Attribute(IsDate(FormatOf(Model(i))) ? Model(i) : Derive(Model(i), 14)),
            i => Attribute(IsDate(FormatOf(Model(i))) ? Model(i) : Derive(Model(i), InstantFormatId())));
    }

    private static string Attribute(int style) => style == 0 ? "" : $" s=\"{style.ToString(CultureInfo.InvariantCulture)}\"";

    private int FormatOf(int style)
    {
        var xf = _cellXfs.Elements(M + "xf").ElementAtOrDefault(style);
        return int.TryParse((string?)xf?.Attribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
    }

    private int Derive(int model, int format)
    {
        if (_derived.TryGetValue((model, format), out var existing)) return existing;
        var xfs = _cellXfs.Elements(M + "xf").ToList();
        var copy = new XElement(xfs.ElementAtOrDefault(model) ?? xfs[0]);
        copy.SetAttributeValue("numFmtId", format.ToString(CultureInfo.InvariantCulture));
        copy.SetAttributeValue("applyNumberFormat", "1");
        _cellXfs.Add(copy);
        _cellXfs.SetAttributeValue("count", (xfs.Count + 1).ToString(CultureInfo.InvariantCulture));
        Changed = true;
        return _derived[(model, format)] = xfs.Count;
    }

    /// <summary>The id of the "yyyy/m/d h:mm" custom format, added to numFmts when the template lacks it.</summary>
    private int InstantFormatId()
    {
        var root = Document.Root!;
        var numFmts = root.Element(M + "numFmts");
        if (numFmts is null)
        {
            // numFmts must be the first child of styleSheet.
            numFmts = new XElement(M + "numFmts", new XAttribute("count", "0"));
            root.AddFirst(numFmts);
        }
        var found = numFmts.Elements(M + "numFmt").FirstOrDefault(f => (string?)f.Attribute("formatCode") == InstantFormat);
        if (found is not null) return (int)found.Attribute("numFmtId")!;
        var id = Math.Max(163, numFmts.Elements(M + "numFmt").Select(f => (int?)f.Attribute("numFmtId") ?? 0).DefaultIfEmpty(0).Max()) + 1;
        numFmts.Add(new XElement(M + "numFmt", new XAttribute("numFmtId", id), new XAttribute("formatCode", InstantFormat)));
        numFmts.SetAttributeValue("count", numFmts.Elements(M + "numFmt").Count().ToString(CultureInfo.InvariantCulture));
        Changed = true;
        return id;
    }

    /// <summary>Built-in date formats (incl. the Japanese era ones, 27–36 and 50–58), or a custom code with date or time letters.</summary>
    private bool IsDate(int format)
    {
        if (format is >= 14 and <= 22 or >= 27 and <= 36 or >= 45 and <= 47 or >= 50 and <= 58) return true;
        if (format < 164) return false;
        var code = Document.Root!.Element(M + "numFmts")?.Elements(M + "numFmt")
            .FirstOrDefault(f => (int?)f.Attribute("numFmtId") == format)?.Attribute("formatCode")?.Value ?? "";
        var inQuotes = false;
        var inBrackets = false;
        foreach (var c in code)
        {
            if (c == '"') inQuotes = !inQuotes;
            else if (!inQuotes && c == '[') inBrackets = true;
            else if (!inQuotes && c == ']') inBrackets = false;
            else if (!inQuotes && !inBrackets && "yYmMdDhHsSgG".Contains(c, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
