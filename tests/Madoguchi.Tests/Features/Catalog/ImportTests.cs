using System.Text;
using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Catalog.Import;
using MiniExcelLibs;
using static Madoguchi.Tests.Features.Catalog.InventoryTestKit;

namespace Madoguchi.Tests.Features.Catalog;

[Trait(Traits.Storage, "true")]
public sealed class ImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_municipal_sheet_reproduces_the_audit_figures()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var plan = await ImportAsync(db, Fixtures.Path("inventory-koto-2025-03.csv"));

        Assert.True(plan.IsValid, string.Join("\n", plan.Errors));
        Assert.Equal(InventoryLayout.Municipal, plan.Layout);
        Assert.Equal(3058, plan.Added.Count);
        await using var ctx = db.CreateContext();
        Assert.Equal(3058, await ctx.Procedures.CountAsync(Ct));
        Assert.Equal(1906, await ctx.Procedures.CountAsync(p => p.OnlineEligible, Ct));
        Assert.Equal(231, await ctx.Procedures.CountAsync(p => p.Status == OnlineStatus.Done, Ct));
        Assert.Equal(147, await ctx.Procedures.CountAsync(p => p.PlanFiscalYear == 2023 && p.PlanYearBound == PlanYearBound.OrEarlier, Ct));
        Assert.Equal(66, await ctx.Procedures.CountAsync(p => p.PlanFiscalYear == 2024 && p.PlanYearBound == PlanYearBound.Exact, Ct));

        var henko = await ctx.Procedures.Include(p => p.Volumes).Include(p => p.Department).SingleAsync(p => p.Name == "変更届(医療法)", Ct);
        Assert.Equal(("健康部", "生活衛生課"), (henko.Department!.Bu, henko.Department.Ka));
        Assert.Equal(new DateOnly(2024, 7, 1), henko.OnlineSince);
        Assert.Equal("LoGoフォーム", henko.Tool);
        var v = Assert.Single(henko.Volumes);
        Assert.Equal((2024, 153, 26, 127), (v.FiscalYear, v.Total, v.Online, v.NonOnline));

        // A blank online count is unknown, not zero.
        var first = await ctx.Procedures.Include(p => p.Volumes).SingleAsync(p => p.Code == "KT-00001", Ct);
        Assert.Equal((30, (int?)null, (int?)null), (first.Volumes[0].Total, first.Volumes[0].Online, first.Volumes[0].NonOnline));
        Assert.Equal(3058, await ctx.ProcedureChanges.CountAsync(c => c.Source == "import: inventory-koto-2025-03.csv" && c.Actor == "cli", Ct));
    }

    [Fact]
    public async Task The_national_survey_sample_reproduces_its_expected_counts()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var plan = await ImportAsync(db, Fixtures.Path("procedures-survey-r7-sample.csv"));

        Assert.True(plan.IsValid, string.Join("\n", plan.Errors));
        Assert.Equal(InventoryLayout.National, plan.Layout);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Fixtures.Path("procedures-survey-r7-sample.expected.json"), Ct));
        var root = expected.RootElement;
        await using var ctx = db.CreateContext();
        Assert.Equal(2000, await ctx.Procedures.CountAsync(Ct));
        Assert.Equal(1831, await ctx.Procedures.CountAsync(p => p.OnlineEligible, Ct));
        Assert.Equal(1125, await ctx.Procedures.CountAsync(p => p.Status == OnlineStatus.Done, Ct));
        Assert.Equal(root.GetProperty("byStatus").GetProperty("3 適用除外").GetInt32(), await ctx.Procedures.CountAsync(p => p.Status == OnlineStatus.Exempt, Ct));
        Assert.Equal(0, await ctx.Procedures.CountAsync(p => p.OnlineSince != null, Ct));
        Assert.Equal(21, await ctx.Procedures.CountAsync(p => p.PlanFiscalYear == 2030 && p.PlanYearBound == PlanYearBound.OrLater, Ct));
        Assert.Equal(2369314, await ctx.ProcedureVolumes.SumAsync(v => v.Total ?? 0, Ct));
        Assert.Equal(697173, await ctx.ProcedureVolumes.SumAsync(v => v.Online ?? 0, Ct));
        var events = (await ctx.ProcedureLifeEvents.Where(e => e.Kind == LifeEventKind.Personal).ToListAsync(Ct))
            .GroupBy(e => e.Event).ToDictionary(g => g.Key, g => g.Count());
        foreach (var e in root.GetProperty("byEvent").EnumerateObject())
        {
            Assert.Equal(e.Value.GetInt32(), events.GetValueOrDefault(e.Name));
        }
        Assert.Equal(root.GetProperty("byEvent").EnumerateObject().Count(), events.Count);

        var p = await ctx.Procedures.SingleAsync(x => x.Code == "202111000001", Ct);
        Assert.Equal(("厚生労働省", "2-1 申請等に基づく処分通知等", "5 国民等", "1 自治事務"), (p.Ministry, p.ProcedureType, p.Actor, p.AffairCategory));
        Assert.Equal((2026, "0 オンライン化実施予定"), (p.PlanFiscalYear!.Value, p.PlanNote));
        Assert.Contains("\"府省共通手続\":\"✕（府省庁共通手続でない）\"", p.ExtraJson);
    }

    public static TheoryData<string> Encodings => ["cp932", "utf-16le", "utf-16be", "utf-16le-nobom", "utf-8-nobom", "xlsx"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task The_same_sheet_in_another_encoding_or_as_xlsx_imports_identically(string variant)
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var source = Fixtures.Path("inventory-koto-2025-03.csv");
        Assert.True((await ImportAsync(db, source)).IsValid);
        var text = await File.ReadAllTextAsync(source, Ct);
        var path = TempFile(db, "variant." + (variant == "xlsx" ? "xlsx" : "csv"));
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        switch (variant)
        {
            case "xlsx":
                var rows = InventoryFileReader.ParseCsv(new StringReader(text))
                    .Select(cells => cells.Select((c, i) => (Key: InventoryRowParserLetter(i), Value: (object)c)).ToDictionary(x => x.Key, x => x.Value));
                await MiniExcel.SaveAsAsync(path, rows, printHeader: false, cancellationToken: Ct);
                break;
            default:
                Encoding encoding = variant switch
                {
                    "cp932" => Encoding.GetEncoding(932),
                    "utf-16le" => new UnicodeEncoding(false, true),
                    "utf-16be" => new UnicodeEncoding(true, true),
                    "utf-16le-nobom" => new UnicodeEncoding(false, false),
                    _ => new UTF8Encoding(false),
                };
                await File.WriteAllTextAsync(path, text, encoding, Ct);
                break;
        }
        if (variant == "cp932") Assert.Equal([0x8E, 0xE8], (await File.ReadAllBytesAsync(path, Ct))[..2]); // 手 in Shift_JIS, no BOM

        var plan = await PlanAsync(db, path);

        Assert.True(plan.IsValid, string.Join("\n", plan.Errors.Take(5)));
        Assert.Equal(3058, plan.Unchanged.Count);
        Assert.Empty(plan.Changed);
        Assert.Empty(plan.Added);
    }

    private static string InventoryRowParserLetter(int i) => i < 26 ? ((char)('A' + i)).ToString() : "A" + (char)('A' + i - 26);

    [Fact]
    public async Task Full_width_digits_stray_spaces_wareki_and_both_symbol_sets_are_understood()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = WriteMunicipal(db, "zenkaku.csv",
            "ＫＴ－０００１, 転入届 ,区民部,区民課,住民基本台帳法,届出,個人,可,,令和 ６ 年度,ＬｏＧｏフォーム,済,令和6年7月,\"１,２３４\",１００",
            "KT-0002,住民票の写し交付請求,区民部,区民課,住民基本台帳法,請求,個人,可,,令和5年度まで,ぴったりサービス,済,R6.8,10,",
            "KT-0003,婚姻届,区民部,区民課,戸籍法,届出,個人,　不可　,本人確認を対面で行う必要がある,,,未,,,",
            "KT-0004,転出届,区民部,区民課,住民基本台帳法,届出,個人,可,,令和元年度,その他,済,2024/9/15,,");
        var nationalPath = Write(db, "r6.csv", new UTF8Encoding(true),
        [
            "行政手続等の棚卸調査結果（令和6年度）",
            "手続ID,所管府省庁,手続名,府省共通手続,オンライン化の実施状況,オンライン化実施時期,総手続件数,オンライン手続件数,非オンライン手続件数",
            "N-1,総務省,共通の届出,○（府省庁共通手続）,1 実施済,,１０,４,６",
            "N-2,総務省,個別の申請,×（府省庁共通手続でない）,2 未実施,7 2030年度以降,,,",
        ]);

        var plan = await ImportAsync(db, path);
        var national = await ImportAsync(db, nationalPath);

        Assert.True(plan.IsValid, string.Join("\n", plan.Errors));
        Assert.True(national.IsValid, string.Join("\n", national.Errors));
        await using var ctx = db.CreateContext();
        var all = await ctx.Procedures.Include(p => p.Volumes).ToDictionaryAsync(p => p.Code, Ct);
        var a = all["KT-0001"];
        Assert.Equal(("転入届", 2024, PlanYearBound.Exact, "LoGoフォーム", new DateOnly(2024, 7, 1)), (a.Name, a.PlanFiscalYear!.Value, a.PlanYearBound, a.Tool, a.OnlineSince!.Value));
        Assert.Equal((1234, 100, 1134), (a.Volumes[0].Total!.Value, a.Volumes[0].Online!.Value, a.Volumes[0].NonOnline!.Value));
        Assert.Equal((2023, PlanYearBound.OrEarlier, new DateOnly(2024, 8, 1)), (all["KT-0002"].PlanFiscalYear!.Value, all["KT-0002"].PlanYearBound, all["KT-0002"].OnlineSince!.Value));
        Assert.False(all["KT-0003"].OnlineEligible);
        Assert.Empty(all["KT-0003"].Volumes); // no counts: unknown, no row of zeros
        Assert.Equal((2019, new DateOnly(2024, 9, 15)), (all["KT-0004"].PlanFiscalYear!.Value, all["KT-0004"].OnlineSince!.Value));
        Assert.Equal((OnlineStatus.Done, 10, 4), (all["N-1"].Status, all["N-1"].Volumes[0].Total!.Value, all["N-1"].Volumes[0].Online!.Value));
        Assert.Equal((2030, PlanYearBound.OrLater), (all["N-2"].PlanFiscalYear!.Value, all["N-2"].PlanYearBound));
        Assert.Contains("×（府省庁共通手続でない）", all["N-2"].ExtraJson);
    }

    [Fact]
    public async Task A_file_with_several_bad_rows_imports_nothing_and_reports_each_row_and_column()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = WriteMunicipal(db, "bad.csv",
            "KT-1,転入届,区民部,区民課,,届出,個人,たぶん,,令和6年度,,未,,10,",
            "KT-2,転出届,区民部,区民課,,届出,個人,可,,令和6年度,,未,,十,",
            "KT-1,転居届,区民部,区民課,,届出,個人,可,,令和6年度,,未,,10,",
            "KT-3,婚姻届,区民部,区民課,,届出,個人,可,,令和6年度,,済,2024-13,10,",
            "KT-4,離婚届,区民部,区民課,,届出,個人,可,,令和0年度,,未,,10,",
            "KT-5,出生届,区民部,区民課,,届出,個人,不可,対面が必要,,,済,,10,",
            "KT-6,死亡届,区民部,区民課,,届出,個人,可,,令和6年度,電子メール,未,,10,20",
            "KT-7,正しい行,区民部,区民課,,届出,個人,可,,令和6年度,,未,,10,");

        var result = await CliRunner.RunAsync(db, "inventory", "import", path, "--volumes-fy", "2024");

        Assert.NotEqual(0, result.ExitCode);
        // Rows as Excel numbers them: the header is row 1.
        Assert.Contains("行 2, 列 オンライン化可否: 値 \"たぶん\" — 可 または 不可 を指定してください", result.Stderr);
        Assert.Contains("行 3, 列 年間申請件数: 値 \"十\"", result.Stderr);
        Assert.Contains("行 4, 列 手続ID: 値 \"KT-1\" — 手続ID が行 2 と重複しています", result.Stderr);
        Assert.Contains("行 5, 列 オンライン化年月: 値 \"2024-13\"", result.Stderr);
        Assert.Contains("行 6, 列 オンライン化予定年度: 値 \"令和0年度\"", result.Stderr);
        Assert.Contains("行 7, 列 オンライン化状況: 値 \"済\" — オンライン化可否が「不可」の手続は「済」にできません", result.Stderr);
        Assert.Contains("行 8, 列 利用ツール: 値 \"電子メール\"", result.Stderr);
        Assert.Contains("行 8, 列 うちオンライン申請件数: 値 \"20\"", result.Stderr);
        Assert.DoesNotContain("行 9", result.Stderr);
        await using var ctx = db.CreateContext();
        Assert.Equal(0, await ctx.Procedures.CountAsync(Ct));
        Assert.Equal(0, await ctx.Departments.CountAsync(Ct));
    }

    [Theory]
    [InlineData("cut.xlsx")]
    [InlineData("cut.zip")]
    public async Task A_damaged_or_cut_off_xlsx_is_refused_in_one_sentence_and_imports_nothing(string name)
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var whole = TempFile(db, "whole.xlsx");
        var rows = InventoryFileReader.ParseCsv(new StringReader(await File.ReadAllTextAsync(Fixtures.Path("inventory-koto-2025-03.csv"), Ct)))
            .Select(cells => cells.Select((c, i) => (Key: InventoryRowParserLetter(i), Value: (object)c)).ToDictionary(x => x.Key, x => x.Value));
        await MiniExcel.SaveAsAsync(whole, rows, printHeader: false, cancellationToken: Ct);
        // The first 20 KB of a real sheet: a download or a copy that stopped half-way. It still starts with "PK".
        var path = TempFile(db, name);
        await File.WriteAllBytesAsync(path, (await File.ReadAllBytesAsync(whole, Ct))[..20_000], Ct);

        var result = await CliRunner.RunAsync(db, "inventory", "import", path, "--volumes-fy", "2024");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Excel（.xlsx）のファイルとして読めません", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        await using var ctx = db.CreateContext();
        Assert.Equal(0, await ctx.Procedures.CountAsync(Ct));
    }

    [Fact]
    public async Task An_empty_file_is_refused_with_a_message()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = TempFile(db, "empty.csv");
        await File.WriteAllBytesAsync(path, [], Ct);

        var result = await CliRunner.RunAsync(db, "inventory", "import", path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ファイルが空です", result.Stderr);
    }

    [Fact]
    public async Task A_header_only_file_imports_nothing_and_says_why()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = WriteMunicipal(db, "header.csv");

        var plan = await ImportAsync(db, path, replace: true);

        Assert.False(plan.IsValid);
        Assert.Contains("データ行がありません", Assert.Single(plan.Errors).Reason);
    }

    [Fact]
    public async Task Unknown_and_missing_columns_are_named()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = Write(db, "columns.csv", new UTF8Encoding(true),
        [
            "手続ID,手続名,所管部,所管課,オンライン化可否,オンライン化状況,担当者メモ",
            "KT-1,転入届,区民部,区民課,可,未,電話で確認",
        ]);
        var missing = Write(db, "missing.csv", new UTF8Encoding(true), ["手続ID,手続名,所管部,所管課,オンライン化可否", "KT-1,転入届,区民部,区民課,可"]);

        var plan = await ImportAsync(db, path);
        var plan2 = await ImportAsync(db, missing);

        var error = Assert.Single(plan.Errors);
        Assert.Equal("担当者メモ", error.Column);
        Assert.Contains("不明な列", error.Reason);
        Assert.Contains(plan2.Errors, e => e.Column == "オンライン化状況" && e.Reason.Contains("必須の列", StringComparison.Ordinal));
        await using var ctx = db.CreateContext();
        Assert.Equal(0, await ctx.Procedures.CountAsync(Ct));
    }

    [Fact]
    public async Task Columns_in_any_order_with_a_kakari_column_are_accepted()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = Write(db, "order.csv", new UTF8Encoding(true),
        [
            "オンライン化状況,手続名,手続ID,所管係,所管課,所管部,オンライン化可否",
            "未,転入届,KT-1,住民記録係,区民課,区民部,可",
        ]);

        var plan = await ImportAsync(db, path);

        Assert.True(plan.IsValid, string.Join("\n", plan.Errors));
        await using var ctx = db.CreateContext();
        var p = await ctx.Procedures.Include(x => x.Department).SingleAsync(Ct);
        Assert.Equal("区民部 区民課 住民記録係", p.Department!.DisplayName);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = TempFile(db, "huge.csv");
        await using (var f = File.Create(path))
        {
            f.SetLength(150L * 1024 * 1024); // sparse: costs no disk, but is 150 MB long
        }
        var importer = Importer(db);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<ImportRefusedException>(() => importer.ImportAsync(path, new ImportOptions(), Ct));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("150 MB", e.Message);
        Assert.Contains("100 MB", e.Message);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes for a refused file");
        var small = WriteMunicipal(db, "small.csv", "KT-1,転入届,区民部,区民課,,届出,個人,可,,,,未,,,");
        var cli = await CliRunner.RunAsync(db, "inventory", "import", path);
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("ファイルが大きすぎます", cli.Stderr);
        await Assert.ThrowsAsync<ImportRefusedException>(() => Importer(db, maxBytes: 100).ImportAsync(small, new ImportOptions(), Ct));
    }

    [Fact]
    public async Task Re_import_updates_by_id_and_keeps_the_history_of_each_change()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var v1 = WriteMunicipal(db, "v1.csv",
            "KT-1,転入届,区民部,区民課,住民基本台帳法,届出,個人,可,,令和7年度,LoGoフォーム,未,,100,",
            "KT-2,転出届,区民部,区民課,住民基本台帳法,届出,個人,可,,令和7年度,,未,,50,");
        var v2 = WriteMunicipal(db, "v2.csv",
            "KT-1,転入届,区民部,区民課,住民基本台帳法,届出,個人,可,,令和7年度,LoGoフォーム,済,2025-06,100,40",
            "KT-2,転出届,区民部,区民課,住民基本台帳法,届出,個人,可,,令和7年度,,未,,50,");
        await ImportAsync(db, v1);

        var plan = await ImportAsync(db, v2);

        var change = Assert.Single(plan.Changed);
        Assert.Equal("KT-1", change.Code);
        Assert.Equal(["Status", "OnlineSince", "Volumes"], change.Changes.Select(c => c.Field));
        Assert.Equal(("NotDone", "Done"), (change.Changes[0].Old, change.Changes[0].New));
        Assert.Equal("KT-2", Assert.Single(plan.Unchanged).Code);
        await using var ctx = db.CreateContext();
        var p = await ctx.Procedures.Include(x => x.Volumes).SingleAsync(x => x.Code == "KT-1", Ct);
        Assert.Equal((OnlineStatus.Done, new DateOnly(2025, 6, 1), 40), (p.Status, p.OnlineSince!.Value, p.Volumes.Single().Online!.Value));
        var history = await ctx.ProcedureChanges.Where(c => c.ProcedureId == p.Id).ToListAsync(Ct);
        Assert.Equal(2, history.Count);
        var last = Assert.Single(history, h => h.Source == "import: v2.csv");
        Assert.Contains(ProcedureHistory.Read(last), c => c.Field == "OnlineSince" && c.Old is null && c.New == "2025-06-01");
    }

    [Fact]
    public async Task Rows_absent_from_the_file_stay_unless_replace_is_asked()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var both = WriteMunicipal(db, "both.csv",
            "KT-1,転入届,区民部,区民課,,届出,個人,可,,,,未,,,",
            "KT-2,転出届,区民部,区民課,,届出,個人,可,,,,未,,,");
        var one = WriteMunicipal(db, "one.csv", "KT-1,転入届,区民部,区民課,,届出,個人,可,,,,未,,,");
        await ImportAsync(db, both);

        var kept = await ImportAsync(db, one);
        await using (var ctx = db.CreateContext()) Assert.Equal(2, await ctx.Procedures.CountAsync(Ct));
        var replaced = await ImportAsync(db, one, replace: true);

        Assert.Empty(kept.Removed);
        Assert.Equal("KT-2", Assert.Single(replaced.Removed).Code);
        await using var after = db.CreateContext();
        Assert.Equal("KT-1", (await after.Procedures.SingleAsync(Ct)).Code);
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_as_json_and_writes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var path = WriteMunicipal(db, "dry.csv", "KT-1,転入届,区民部,区民課,,届出,個人,可,,,,未,,,");

        var result = await CliRunner.RunAsync(db, "inventory", "import", path, "--dry-run", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("counts").GetProperty("added").GetInt32());
        Assert.False(json.RootElement.GetProperty("applied").GetBoolean());
        Assert.Contains("試行", result.Stderr);
        await using var ctx = db.CreateContext();
        Assert.Equal(0, await ctx.Procedures.CountAsync(Ct));
        Assert.Equal(0, await ctx.Departments.CountAsync(Ct));
    }
}
