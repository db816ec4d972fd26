using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Postcodes;
using Microsoft.EntityFrameworkCore;
using static Madoguchi.Tests.Features.Postcodes.PostcodeFixtures;

namespace Madoguchi.Tests.Features.Postcodes;

[Trait(Traits.Storage, "true")]
public sealed class PostcodeImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<string>> TableAsync(TestDatabase db)
    {
        await using var ctx = db.CreateContext();
        return await ctx.Postcodes.OrderBy(p => p.Id)
            .Select(p => p.Code + " " + p.CityCode + " " + p.Prefecture + p.City + "|" + p.Town + "|" + p.Note + "|" + p.PrefectureKana + " " + p.CityKana + " " + p.TownKana)
            .ToListAsync(Ct);
    }

    [Fact]
    public async Task Ken_all_in_shift_jis_is_read_with_split_towns_joined_and_notes_apart()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = WriteKenAll(db, "KEN_ALL.CSV", KenAllRows);

        var cli = await CliRunner.RunAsync(db, "postcode", "import", path);

        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("KEN_ALL.CSV: KEN_ALL形式（Shift_JIS）、7 行から郵便番号 5 件、住所 5 件を取り込みました", cli.Stderr, StringComparison.Ordinal);
        Assert.Equal(
        [
            "1350000 13108 東京都江東区|||トウキョウト コウトウク ",
            "1350016 13108 東京都江東区|東陽||トウキョウト コウトウク トウヨウ",
            "1369999 13108 東京都江東区|南砂町|１～３丁目、５番地～１０番地|トウキョウト コウトウク ミナミスナマチ",
            "1006999 13101 東京都千代田区|窓口ビル|地階・階層不明|トウキョウト チヨダク マドグチビル",
            "1980299 13308 東京都西多摩郡奥多摩町|||トウキョウト ニシタマグンオクタママチ ",
        ], await TableAsync(db));
    }

    [Fact]
    public async Task Utf_all_in_utf8_is_detected_and_keeps_ivs_characters()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = WriteUtf(db, "utf_all.csv", UtfRows);

        var cli = await CliRunner.RunAsync(db, "postcode", "import", path, "--format", "json");

        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("\"format\": \"utf\"", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"postcodes\": 3", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"addresses\": 4", cli.Stdout, StringComparison.Ordinal);
        var table = await TableAsync(db);
        Assert.Contains("1350017 13108 東京都江東区|南砂町|１～３丁目|トウキョウト コウトウク ミナミスナマチ", table);
        Assert.Contains("1350017 13108 東京都江東区|北砂町||トウキョウト コウトウク キタスナマチ", table);
        Assert.Contains("9638888 07203 福島県郡山市|葛\U000E0100町||フクシマケン コオリヤマシ テストマチ", table);
    }

    [Fact]
    public async Task An_import_replaces_the_whole_table()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        Assert.Equal(0, (await CliRunner.RunAsync(db, "postcode", "import", WriteKenAll(db, "KEN_ALL.CSV", KenAllRows))).ExitCode);

        var second = await CliRunner.RunAsync(db, "postcode", "import", WriteUtf(db, "utf_all.csv", UtfRows[0]));

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["1350016 13108 東京都江東区|東陽||トウキョウト コウトウク トウヨウ"], await TableAsync(db));
    }

    [Fact]
    public async Task Bad_rows_are_reported_by_line_and_nothing_is_written()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        Assert.Equal(0, (await CliRunner.RunAsync(db, "postcode", "import", WriteUtf(db, "utf_all.csv", UtfRows))).ExitCode);
        var before = await TableAsync(db);
        var bad = WriteKenAll(db, "KEN_ALL.CSV",
            KenAllRows[1],
            "13108,\"135  \",\"1350016\",\"ﾄｳｷｮｳﾄ\",\"ｺｳﾄｳｸ\",\"ﾄｳﾖｳ\",\"東京都\",\"江東区\",\"東陽\",0,0,0,0,0",
            KenAllRows[1].Replace("\"1350016\"", "\"135001\"", StringComparison.Ordinal),
            KenAllRows[1].Replace("13108,", "1310X,", StringComparison.Ordinal),
            Row("13108", "1350018", "ﾄｳｷｮｳﾄ", "ｺｳﾄｳｸ", "ﾃｽﾄ(", "東京都", "江東区", "テスト（１丁目"));

        var cli = await CliRunner.RunAsync(db, "postcode", "import", bad);

        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("KEN_ALL.CSV 2行目: 列の数が14です", cli.Stderr, StringComparison.Ordinal);
        Assert.Contains("KEN_ALL.CSV 3行目: 3列目の郵便番号「135001」は7桁の数字ではありません", cli.Stderr, StringComparison.Ordinal);
        Assert.Contains("KEN_ALL.CSV 4行目: 1列目の全国地方公共団体コード「1310X」", cli.Stderr, StringComparison.Ordinal);
        Assert.Contains("KEN_ALL.CSV 5行目: 町域名「テスト（１丁目」の括弧が閉じないまま", cli.Stderr, StringComparison.Ordinal);
        Assert.Contains("不正な行が 4 件あります。何も書き込んでいません", cli.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await TableAsync(db));
    }

    [Fact]
    public void A_split_town_interrupted_by_another_postcode_is_an_error_at_its_first_line()
    {
        var text = string.Join("\n", KenAllRows[2], KenAllRows[1], KenAllRows[3]);

        var result = PostcodeImporter.Read(new StringReader(text), PostcodeFileFormat.KenAll);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Line == 1 && e.Message.Contains("括弧が閉じていません", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Line == 3 && e.Message.Contains("前の行の続き", StringComparison.Ordinal));
        Assert.Empty(result.Records);
    }

    [Fact]
    public async Task A_missing_file_is_an_operator_error()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var cli = await CliRunner.RunAsync(db, "postcode", "import", Path.Combine(db.Folder, "nothing.csv"));
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("見つかりません", cli.Stderr, StringComparison.Ordinal);
    }
}
