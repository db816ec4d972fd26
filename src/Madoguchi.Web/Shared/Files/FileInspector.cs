using System.IO.Compression;
using System.Net;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Shared.Files;

/// <summary>The file types residents may attach. The names are what form definitions list in "accept".</summary>
public static class FileKinds
{
    public const string Pdf = "pdf";
    public const string Jpeg = "jpeg";
    public const string Png = "png";
    public const string Heic = "heic";
    public const string Docx = "docx";
    public const string Xlsx = "xlsx";

    public static readonly IReadOnlyList<string> All = [Pdf, Jpeg, Png, Heic, Docx, Xlsx];

    /// <summary>Content type to store and send (always as a download, never inline).</summary>
    public static string ContentType(string kind) => kind switch
    {
        Pdf => "application/pdf",
        Jpeg => "image/jpeg",
        Png => "image/png",
        Heic => "image/heic",
        Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };

    /// <summary>The extension a generated file name gets.</summary>
    public static string Extension(string kind) => kind switch
    {
        Jpeg => ".jpg",
        _ => "." + kind,
    };

    /// <summary>What residents read in messages (Japanese).</summary>
    public static string Label(string kind) => kind switch
    {
        Pdf => "PDF",
        Jpeg => "JPEG画像",
        Png => "PNG画像",
        Heic => "HEIC画像（iPhoneの写真）",
        Docx => "Word文書（.docx）",
        Xlsx => "Excelブック（.xlsx）",
        _ => kind,
    };

    public static string LabelEn(string kind) => kind switch
    {
        Pdf => "PDF",
        Jpeg => "JPEG image",
        Png => "PNG image",
        Heic => "HEIC image (iPhone photo)",
        Docx => "Word document (.docx)",
        Xlsx => "Excel workbook (.xlsx)",
        _ => kind,
    };

    public static string LabelEasy(string kind) => kind switch
    {
        Heic => "HEIC（iPhoneの しゃしん）",
        Docx => "Word（.docx）",
        Xlsx => "Excel（.xlsx）",
        _ => LabelEn(kind).Replace(" image", "", StringComparison.Ordinal),
    };

    /// <summary>Kinds that the name's extension claims; unknown extensions claim nothing.</summary>
    public static string? FromExtension(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".pdf" => Pdf,
        ".jpg" or ".jpeg" or ".jpe" => Jpeg,
        ".png" => Png,
        ".heic" or ".heif" => Heic,
        ".docx" => Docx,
        ".xlsx" => Xlsx,
        _ => null,
    };
}

/// <summary>The outcome of inspecting an upload: its kind, or why it is refused (code + message in the residents' three languages).</summary>
public sealed record FileInspection(string? Kind, string? ErrorCode, FieldMessage? Message)
{
    public bool Accepted => Kind is not null;
    public static FileInspection Ok(string kind) => new(kind, null, null);
    public static FileInspection Refused(string code, string ja, string en, string easyHtml) => new(null, code, new FieldMessage(ja, en, easyHtml));
}

/// <summary>
/// Decides what an uploaded file really is from its first bytes (never from its name or the
/// browser's content type, which a resident's device or an attacker chooses), and refuses
/// executables, macro-enabled Office files and archives that expand far beyond their size.
/// </summary>
public static class FileInspector
{
    /// <summary>Office files are zip archives: above this expanded size or ratio they are treated as zip bombs.</summary>
    public const long MaxExpandedBytes = 200L * 1024 * 1024;
    public const int MaxCompressionRatio = 100;
    public const int MaxZipEntries = 2_000;

    public static FileInspection Inspect(Stream content, string fileName, IReadOnlyCollection<string> accepted, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(content);
        var length = content.CanSeek ? content.Length - content.Position : -1;
        var name = Display(fileName);
        var html = WebUtility.HtmlEncode(name);
        if (length == 0)
        {
            return FileInspection.Refused("empty", $"「{name}」は空のファイルです。内容のあるファイルを選んでください。",
                $"“{name}” is empty. Choose a file that has something in it.", $"「{html}」は なにも <ruby>入<rt>はい</rt></ruby>って いません。ほかの ファイルを えらんで ください。");
        }
        if (length > maxBytes)
        {
            return TooLarge(name, length, maxBytes);
        }

        var start = content.CanSeek ? content.Position : 0;
        Span<byte> head = stackalloc byte[16];
        var read = ReadAtMost(content, head);
        head = head[..read];
        if (content.CanSeek) content.Position = start;

        if (IsExecutable(head))
        {
            return FileInspection.Refused("executable", $"「{name}」はプログラム（実行ファイル）のため受け付けられません。書類はPDFや画像で添付してください。",
                $"“{name}” is a program (an executable file) and cannot be accepted. Attach documents as PDF or images.",
                $"「{html}」は プログラムなので つけられません。PDFか しゃしんを つけて ください。");
        }
        var kind = Sniff(head);
        if (kind == "zip")
        {
            if (!content.CanSeek)
            {
                return FileInspection.Refused("unreadable", $"「{name}」を読み取れませんでした。もう一度選んでください。",
                    $"“{name}” could not be read. Choose it again.", $"「{html}」を <ruby>読<rt>よ</rt></ruby>めませんでした。もう いちど えらんで ください。");
            }
            kind = InspectOfficeZip(content, name, out var refusal);
            content.Position = start;
            if (refusal is not null) return refusal;
        }

        var allowed = string.Join("、", accepted.Select(FileKinds.Label));
        var allowedEn = string.Join(", ", accepted.Select(FileKinds.LabelEn));
        var allowedEasy = WebUtility.HtmlEncode(string.Join("、", accepted.Select(FileKinds.LabelEasy)));
        if (kind is null)
        {
            return FileInspection.Refused("unknown-type", $"「{name}」は受け付けられる形式ではありません。{allowed}のファイルを選んでください。",
                $"“{name}” is not a kind of file that can be accepted. Choose one of these: {allowedEn}.",
                $"「{html}」は つけられない ファイルです。{allowedEasy}の ファイルを えらんで ください。");
        }
        var claimed = FileKinds.FromExtension(fileName);
        if (claimed is not null && claimed != kind && !(claimed == FileKinds.Heic && kind == FileKinds.Heic))
        {
            return FileInspection.Refused("type-mismatch", $"「{name}」は名前は{FileKinds.Label(claimed)}ですが、中身は{FileKinds.Label(kind)}です。正しいファイルを選んでください。",
                $"“{name}” is named as a {FileKinds.LabelEn(claimed)} but is a {FileKinds.LabelEn(kind)}. Choose the right file.",
                $"「{html}」は <ruby>名前<rt>なまえ</rt></ruby>と <ruby>中身<rt>なかみ</rt></ruby>が ちがいます。ただしい ファイルを えらんで ください。");
        }
        if (!accepted.Contains(kind))
        {
            return FileInspection.Refused("type-not-accepted", $"この欄には{allowed}を添付してください（「{name}」は{FileKinds.Label(kind)}です）。",
                $"Attach one of these here: {allowedEn} (“{name}” is a {FileKinds.LabelEn(kind)}).",
                $"ここには {allowedEasy}を つけて ください（「{html}」は {WebUtility.HtmlEncode(FileKinds.LabelEasy(kind))}です）。");
        }
        return FileInspection.Ok(kind);
    }

    /// <summary>The kind from magic bytes; "zip" when it needs a look inside.</summary>
    private static string? Sniff(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith("%PDF-"u8)) return FileKinds.Pdf;
        if (h.Length >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return FileKinds.Jpeg;
        if (h.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return FileKinds.Png;
        // ISO base media: size(4) "ftyp" brand(4). HEIC photos use these brands.
        if (h.Length >= 12 && h[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = System.Text.Encoding.ASCII.GetString(h[8..12]);
            if (brand is "heic" or "heix" or "hevc" or "hevx" or "mif1" or "msf1") return FileKinds.Heic;
        }
        if (h.StartsWith("PK\u0003\u0004"u8)) return "zip";
        return null;
    }

    private static bool IsExecutable(ReadOnlySpan<byte> h) =>
        h.StartsWith("MZ"u8)                                       // Windows PE
        || h.StartsWith(new byte[] { 0x7F, 0x45, 0x4C, 0x46 })     // ELF
        || h.StartsWith(new byte[] { 0xCF, 0xFA, 0xED, 0xFE })     // Mach-O 64
        || h.StartsWith(new byte[] { 0xCE, 0xFA, 0xED, 0xFE })     // Mach-O 32
        || h.StartsWith(new byte[] { 0xCA, 0xFE, 0xBA, 0xBE })     // Mach-O universal / Java class
        || h.StartsWith("#!"u8);                                   // scripts

    /// <summary>Word/Excel files are zips: read the central directory only, never expand entries.</summary>
    private static string? InspectOfficeZip(Stream content, string name, out FileInspection? refusal)
    {
        refusal = null;
        var html = WebUtility.HtmlEncode(name);
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > MaxZipEntries)
            {
                refusal = FileInspection.Refused("zip-bomb", $"「{name}」は中に含まれるファイルが多すぎるため受け付けられません。",
                    $"“{name}” holds too many files inside it and cannot be accepted.", $"「{html}」は つけられません。<ruby>中<rt>なか</rt></ruby>の ファイルが おおすぎます。");
                return null;
            }
            long expanded = 0, compressed = 0;
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var e in zip.Entries)
            {
                expanded += e.Length;
                compressed += e.CompressedLength;
                names.Add(e.FullName);
            }
            if (expanded > MaxExpandedBytes || (compressed > 0 && expanded / compressed > MaxCompressionRatio))
            {
                refusal = FileInspection.Refused("zip-bomb", $"「{name}」は展開すると極端に大きくなるため受け付けられません（圧縮爆弾の疑い）。",
                    $"“{name}” would expand to an extreme size and cannot be accepted (it may be a compression bomb).",
                    $"「{html}」は つけられません。ひらくと とても おおきく なる ファイルです。");
                return null;
            }
            if (!names.Contains("[Content_Types].xml")) return null;
            if (names.Any(n => n.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)))
            {
                refusal = FileInspection.Refused("macro", $"「{name}」はマクロを含むため受け付けられません。マクロのない形式（.docx / .xlsx）かPDFで保存し直してください。",
                    $"“{name}” contains macros and cannot be accepted. Save it without macros (.docx or .xlsx) or as a PDF.",
                    $"「{html}」は マクロが あるので つけられません。PDFに して ください。");
                return null;
            }
            if (names.Contains("word/document.xml")) return FileKinds.Docx;
            if (names.Contains("xl/workbook.xml")) return FileKinds.Xlsx;
            return null;
        }
        catch (InvalidDataException)
        {
            refusal = FileInspection.Refused("corrupt", $"「{name}」は壊れているため開けません。保存し直してから選んでください。",
                $"“{name}” is damaged and cannot be opened. Save it again, then choose it.", $"「{html}」は こわれて いて ひらけません。");
            return null;
        }
    }

    private static int ReadAtMost(Stream s, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>The refusal of a file above the field's limit; <paramref name="length"/> is left out when reading stopped at the limit.</summary>
    public static FileInspection TooLarge(string name, long? length, long maxBytes)
    {
        var html = WebUtility.HtmlEncode(name);
        return length is { } size
            ? FileInspection.Refused("too-large", $"「{name}」は{Size(size)}あり、上限の{Size(maxBytes)}を超えています。小さくしてから選び直してください。",
                $"“{name}” is {Size(size)}, over the limit of {Size(maxBytes)}. Make it smaller and choose it again.",
                $"「{html}」は おおきすぎます（{Size(maxBytes)}まで）。ちいさく してから えらんで ください。")
            : FileInspection.Refused("too-large", $"「{name}」は上限の{Size(maxBytes)}を超えています。小さくしてから選び直してください。",
                $"“{name}” is over the limit of {Size(maxBytes)}. Make it smaller and choose it again.",
                $"「{html}」は おおきすぎます（{Size(maxBytes)}まで）。ちいさく してから えらんで ください。");
    }

    /// <summary>A file name for messages: without folders, control characters or absurd length.</summary>
    public static string Display(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        name = new string([.. name.Where(c => !char.IsControl(c))]);
        return name.Length > 60 ? name[..57] + "…" : name;
    }

    public static string Size(long bytes) => bytes >= 1024 * 1024
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#}MB")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Max(1, bytes / 1024)}KB");
}
