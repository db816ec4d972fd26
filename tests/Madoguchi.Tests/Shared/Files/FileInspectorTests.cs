using System.IO.Compression;
using System.Text;
using Madoguchi.Web.Shared.Files;

namespace Madoguchi.Tests.Shared.Files;

public sealed class FileInspectorTests
{
    private static readonly string[] Documents = [FileKinds.Pdf, FileKinds.Jpeg, FileKinds.Png, FileKinds.Heic, FileKinds.Docx, FileKinds.Xlsx];
    private const long TenMegabytes = 10 * 1024 * 1024;

    private static FileInspection Inspect(byte[] bytes, string name, string[]? accepted = null, long max = TenMegabytes)
        => FileInspector.Inspect(new MemoryStream(bytes), name, accepted ?? Documents, max);

    private static byte[] Pdf => Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n");
    private static byte[] Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    private static byte[] Jpeg => [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0];
    private static byte[] Heic => [0, 0, 0, 24, .. "ftypheic"u8.ToArray(), 0, 0, 0, 0, .. "mif1"u8.ToArray()];

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                s.Write(content);
            }
        }
        return ms.ToArray();
    }

    private static byte[] Xml(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("申請書.pdf", "pdf")]
    [InlineData("photo.PNG", "png")]
    [InlineData("IMG_0001.jpg", "jpeg")]
    [InlineData("IMG_0002.HEIC", "heic")]
    public void Documents_and_photos_are_recognised_by_their_content(string name, string kind)
    {
        var bytes = kind switch { "pdf" => Pdf, "png" => Png, "jpeg" => Jpeg, _ => Heic };
        var result = Inspect(bytes, name);
        Assert.True(result.Accepted, result.Message?.Ja);
        Assert.Equal(kind, result.Kind);
    }

    [Fact]
    public void Word_and_Excel_files_are_recognised_from_their_parts_and_macros_are_refused()
    {
        var docx = Zip(("[Content_Types].xml", Xml("<Types/>")), ("word/document.xml", Xml("<w:document/>")));
        Assert.Equal(FileKinds.Docx, Inspect(docx, "委任状.docx").Kind);
        var xlsx = Zip(("[Content_Types].xml", Xml("<Types/>")), ("xl/workbook.xml", Xml("<workbook/>")));
        Assert.Equal(FileKinds.Xlsx, Inspect(xlsx, "名簿.xlsx").Kind);

        var macro = Zip(("[Content_Types].xml", Xml("<Types/>")), ("word/document.xml", Xml("<w:document/>")), ("word/vbaProject.bin", [1, 2, 3]));
        var refused = Inspect(macro, "委任状.docx");
        Assert.Equal("macro", refused.ErrorCode);
        Assert.Contains("マクロ", refused.Message!.Ja);
    }

    [Fact]
    public void A_pdf_that_is_really_a_program_is_refused_as_a_program()
    {
        byte[] exe = [.. "MZ"u8.ToArray(), 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0];
        var result = Inspect(exe, "診断書.pdf");
        Assert.False(result.Accepted);
        Assert.Equal("executable", result.ErrorCode);
        Assert.Contains("「診断書.pdf」はプログラム", result.Message?.Ja);

        Assert.Equal("executable", Inspect([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0], "a.png").ErrorCode);
        Assert.Equal("executable", Inspect(Encoding.ASCII.GetBytes("#!/bin/sh\nrm -rf /\n"), "a.pdf").ErrorCode);
    }

    [Fact]
    public void A_name_that_says_one_type_over_content_of_another_is_refused_with_both_named()
    {
        var result = Inspect(Png, "住民票.pdf");
        Assert.Equal("type-mismatch", result.ErrorCode);
        Assert.Equal("「住民票.pdf」は名前はPDFですが、中身はPNG画像です。正しいファイルを選んでください。", result.Message?.Ja);
    }

    [Fact]
    public void Refusals_are_worded_for_english_and_easy_japanese_readers_with_the_file_name_inert()
    {
        var mismatch = Inspect(Png, "住民票.pdf");
        Assert.Equal("“住民票.pdf” is named as a PDF but is a PNG image. Choose the right file.", mismatch.Message!.En);
        Assert.Contains("ちがいます", mismatch.Message.Easy, StringComparison.Ordinal);

        var onlyPdf = Inspect(Png, "<img src=x onerror=alert(1)>.png", [FileKinds.Pdf, FileKinds.Heic]);
        Assert.Equal("Attach one of these here: PDF, HEIC image (iPhone photo) (“<img src=x onerror=alert(1)>.png” is a PNG image).", onlyPdf.Message!.En);
        // The easy text is HTML (it carries ruby): a name holding markup stays text in it.
        Assert.DoesNotContain("<img", onlyPdf.Message.EasyHtml, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;.png", onlyPdf.Message.EasyHtml, StringComparison.Ordinal);
        Assert.Contains("HEIC（iPhoneの しゃしん）", onlyPdf.Message.EasyHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void Content_of_an_unknown_type_and_types_the_field_does_not_accept_are_refused()
    {
        var text = Inspect(Encoding.UTF8.GetBytes("ただのテキスト"), "memo.txt");
        Assert.Equal("unknown-type", text.ErrorCode);
        Assert.Contains("PDF、JPEG画像", text.Message!.Ja);

        var onlyPdf = Inspect(Png, "photo.png", [FileKinds.Pdf]);
        Assert.Equal("type-not-accepted", onlyPdf.ErrorCode);
        Assert.Equal("この欄にはPDFを添付してください（「photo.png」はPNG画像です）。", onlyPdf.Message!.Ja);
    }

    [Fact]
    public void Empty_and_oversized_files_are_refused_with_the_limit_stated()
    {
        Assert.Equal("empty", Inspect([], "a.pdf").ErrorCode);
        var big = new byte[3 * 1024 * 1024];
        Pdf.CopyTo(big, 0);
        var result = Inspect(big, "scan.pdf", max: 2 * 1024 * 1024);
        Assert.Equal("too-large", result.ErrorCode);
        Assert.Equal("「scan.pdf」は3MBあり、上限の2MBを超えています。小さくしてから選び直してください。", result.Message?.Ja);
    }

    [Fact]
    public void An_archive_that_expands_far_beyond_its_size_is_refused_without_being_expanded()
    {
        // 20 MB of zeros compress to a few kilobytes: a ratio no real document has.
        var bomb = Zip(("[Content_Types].xml", Xml("<Types/>")), ("word/document.xml", new byte[20 * 1024 * 1024]));
        Assert.True(bomb.Length < 100 * 1024);
        var result = Inspect(bomb, "申請書.docx");
        Assert.Equal("zip-bomb", result.ErrorCode);
        Assert.Contains("圧縮爆弾", result.Message?.Ja);
    }

    [Fact]
    public void A_broken_archive_is_refused_as_broken_and_names_are_shown_without_folders_or_control_characters()
    {
        byte[] broken = [.. "PK\u0003\u0004"u8.ToArray(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var result = Inspect(broken, "C:\\Users\\taro\\申請\u0007書.docx");
        Assert.Equal("corrupt", result.ErrorCode);
        Assert.StartsWith("「申請書.docx」は壊れている", result.Message?.Ja);
    }
}
