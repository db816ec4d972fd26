using System.Text;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Catalog.Export;
using MiniExcelLibs;
using static Madoguchi.Tests.Features.Catalog.InventoryTestKit;

namespace Madoguchi.Tests.Features.Catalog;

[Trait(Traits.Storage, "true")]
public sealed class ExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ExportLayout.Municipal, ExportFormat.Csv, "inventory-koto-2025-03.csv", 3058)]
    [InlineData(ExportLayout.Municipal, ExportFormat.CsvSjis, "inventory-koto-2025-03.csv", 3058)]
    [InlineData(ExportLayout.Municipal, ExportFormat.Xlsx, "inventory-koto-2025-03.csv", 3058)]
    [InlineData(ExportLayout.National, ExportFormat.Csv, "procedures-survey-r7-sample.csv", 2000)]
    [InlineData(ExportLayout.National, ExportFormat.Xlsx, "procedures-survey-r7-sample.csv", 2000)]
    public async Task Export_then_re_import_leaves_every_procedure_unchanged(ExportLayout layout, ExportFormat format, string fixture, int rows)
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        Assert.True((await ImportAsync(db, Fixtures.Path(fixture))).IsValid);
        var path = TempFile(db, "export." + (format == ExportFormat.Xlsx ? "xlsx" : "csv"));

        var result = await Exporter(db).ExportToFileAsync(path, layout, format, ct: Ct);
        var plan = await PlanAsync(db, path);

        Assert.Equal(rows, result.Rows);
        Assert.True(plan.IsValid, string.Join("\n", plan.Errors.Take(5)));
        Assert.Equal(rows, plan.Unchanged.Count);
        Assert.Empty(plan.Changed);
    }

    [Fact]
    public async Task Csv_is_utf8_with_bom_and_crlf_in_the_sheet_layout()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await ImportAsync(db, WriteMunicipal(db, "in.csv", "KT-1,転入届,区民部,区民課,,届出,個人,可,,令和5年度まで,LoGoフォーム,済,2024-07,\"1,234\",100"));
        var path = TempFile(db, "out.csv");

        await Exporter(db).ExportToFileAsync(path, ExportLayout.Municipal, ExportFormat.Csv, ct: Ct);

        var bytes = await File.ReadAllBytesAsync(path, Ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.Equal(MunicipalHeader + "\r\nKT-1,転入届,区民部,区民課,,届出,個人,可,,令和5年度まで,LoGoフォーム,済,2024-07,1234,100\r\n", text);
    }

    [Fact]
    public async Task Cells_that_would_start_a_formula_are_neutralised_and_come_back_intact()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await ImportAsync(db, WriteMunicipal(db, "in.csv",
            "KT-1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",区民部,区民課,+cmd,@SUM(A1),-1,可,,,,未,,,"));
        var csv = TempFile(db, "out.csv");
        var xlsx = TempFile(db, "out.xlsx");

        await Exporter(db).ExportToFileAsync(csv, ExportLayout.Municipal, ExportFormat.Csv, ct: Ct);
        await Exporter(db).ExportToFileAsync(xlsx, ExportLayout.Municipal, ExportFormat.Xlsx, ct: Ct);

        var line = File.ReadAllLines(csv)[1];
        Assert.StartsWith("KT-1,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",区民部,区民課,'+cmd,'@SUM(A1),'-1,", line);
        var cells = ((IDictionary<string, object?>)MiniExcel.Query(xlsx, useHeaderRow: false).Skip(1).First()).Values.ToList();
        Assert.Equal("'=HYPERLINK(\"http://evil.example\",\"x\")", cells[1]);
        Assert.Equal("'@SUM(A1)", cells[5]);
        // The importer takes the apostrophe off again, so the round trip changes nothing.
        Assert.Equal("KT-1", Assert.Single((await PlanAsync(db, csv)).Unchanged).Code);
        Assert.Equal("KT-1", Assert.Single((await PlanAsync(db, xlsx)).Unchanged).Code);
    }

    [Fact]
    public async Task A_shift_jis_export_with_characters_it_lacks_writes_nothing_and_lists_them()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await ImportAsync(db, WriteMunicipal(db, "in.csv",
            "KT-1,𠮷野家の営業許可申請,区民部,区民課,,申請,事業者,可,,,,未,,,",
            "KT-2,葛\U000E0100飾の届出,区民部,区民課,,届出,個人,可,,,,未,,,",
            "KT-3,転入届,区民部,区民課,,届出,個人,可,,,,未,,,"));
        var path = TempFile(db, "out.csv");

        var cli = await CliRunner.RunAsync(db, "inventory", "export", "--layout", "municipal", "--format", "csv-sjis", "--out", path);

        Assert.NotEqual(0, cli.ExitCode);
        Assert.False(File.Exists(path));
        Assert.Contains("手続ID KT-1, 列 手続名: 文字 「𠮷」(U+20BB7)", cli.Stderr);
        Assert.Contains("手続ID KT-2, 列 手続名:", cli.Stderr);
        Assert.Contains("(U+E0100)", cli.Stderr);
        Assert.DoesNotContain("KT-3", cli.Stderr);
        Assert.Contains("--format csv", cli.Stderr);
        Assert.Empty(Directory.GetFiles(db.Folder, "*.tmp"));

        var utf8 = await CliRunner.RunAsync(db, "inventory", "export", "--format", "csv", "--out", path);
        Assert.Equal(0, utf8.ExitCode);
        Assert.Contains("𠮷野家の営業許可申請", await File.ReadAllTextAsync(path, Ct));
    }

    [Fact]
    public async Task The_national_survey_symbol_x_has_no_shift_jis_code_and_is_reported()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await ImportAsync(db, Fixtures.Path("procedures-survey-r7-sample.csv"));

        var result = await Exporter(db).ExportAsync(Stream.Null, ExportLayout.National, ExportFormat.CsvSjis, ct: Ct);

        Assert.False(result.Written);
        Assert.Equal(2000, result.Unencodable.Count);
        Assert.All(result.Unencodable, u => Assert.Equal(("府省共通手続", "U+2715"), (u.Column, u.CodePoint)));
    }

    [Fact]
    public async Task The_national_export_has_the_title_row_and_46_columns()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await ImportAsync(db, Fixtures.Path("procedures-survey-r7-sample.csv"));
        var path = TempFile(db, "national.csv");

        await Exporter(db).ExportToFileAsync(path, ExportLayout.National, ExportFormat.Csv, ct: Ct);

        var lines = await File.ReadAllLinesAsync(path, Ct);
        Assert.StartsWith("行政手続等の棚卸調査結果", lines[0]);
        Assert.Equal(46, lines[1].Split(',').Length);
        Assert.Equal(2002, lines.Length);
        var line = Assert.Single(lines, l => l.StartsWith("202111000001,", StringComparison.Ordinal));
        Assert.Contains(",2 未実施,0 オンライン化実施予定,,3 2026年度,", line);
    }
}
