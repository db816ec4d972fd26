using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Forms;

public sealed class FormCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> WriteAsync(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"form-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json, Ct);
        return path;
    }

    [Fact]
    public async Task An_exported_form_imports_back_unchanged_and_equals_what_was_imported()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-01190"));
        var file = await WriteAsync(FormParserTests.DocumentedExample());

        var imported = await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-01190");
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        var exported = await CliRunner.RunAsync(app.Database, "form", "export", "hoikusho-tensho");
        Assert.Equal(0, exported.ExitCode);

        // The same definition as the file, written canonically (fixed key order, defaults spelt out) …
        var source = Madoguchi.Web.Features.Forms.FormParser.Parse(FormParserTests.DocumentedExample(), false).Definition!;
        Assert.Equal(Madoguchi.Web.Features.Forms.FormJson.Write(source), exported.Stdout);
        Assert.Contains("\"required\": false", exported.Stdout, StringComparison.Ordinal);
        // … and importing the export changes nothing; the next export is byte for byte the same.
        var back = await CliRunner.RunAsync(app.Database, "form", "import", await WriteAsync(exported.Stdout), "--procedure", "KT-01190");
        Assert.Contains("取り込み済みのものと同じです", back.Stderr, StringComparison.Ordinal);
        Assert.Equal(exported.Stdout, (await CliRunner.RunAsync(app.Database, "form", "export", "hoikusho-tensho")).Stdout);

        var list = await CliRunner.RunAsync(app.Database, "form", "list", "--format", "json");
        var item = Assert.Single(JsonNode.Parse(list.Stdout)!.AsArray());
        Assert.Equal(("hoikusho-tensho", "KT-01190", "保育所転所申請"), (item!["slug"]!.GetValue<string>(), item["procedure"]!.GetValue<string>(), item["title"]!.GetValue<string>()));
        Assert.Null(item["version"]);
    }

    [Fact]
    public async Task A_definition_with_errors_imports_nothing_and_every_error_names_file_and_path()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-1"));
        var good = await WriteAsync(FormParserTests.Minimal);
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", good, "--procedure", "KT-1")).ExitCode);
        var form = JsonNode.Parse(FormParserTests.Minimal)!;
        form["title"]!["ja"] = "変えたはずの題名";
        form["pages"]![0]!["items"]![1]!["label"] = new JsonObject { ["en"] = "Note" };
        form["pages"]![1]!["items"]![1]!["yen"] = "300";
        var bad = await WriteAsync(form.ToJsonString());

        var result = await CliRunner.RunAsync(app.Database, "form", "import", bad, "--procedure", "KT-1");

        Assert.NotEqual(0, result.ExitCode);
        var name = Path.GetFileName(bad);
        Assert.Contains($"エラー: {name} $.pages[0].items[1].label.ja: 日本語（ja）の文言がありません", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"エラー: {name} $.pages[1].items[1].yen: yen は整数で書いてください", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("誤りが 2 件あります。何も取り込んでいません", result.Stderr, StringComparison.Ordinal);
        // The earlier working definition is untouched: not even the valid title changed.
        var export = await CliRunner.RunAsync(app.Database, "form", "export", "test-form");
        Assert.Equal("テスト申請", JsonNode.Parse(export.Stdout)!["title"]!["ja"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("KT-404", "手続ID 'KT-404' は棚卸にありません")]
    [InlineData("KT-2", "$.procedure: ファイルの手続ID 'KT-1' が --procedure の 'KT-2' と違います")]
    public async Task The_procedure_must_exist_and_agree_with_the_file(string procedure, string message)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-1"), Builders.Procedure("KT-2"));

        var result = await CliRunner.RunAsync(app.Database, "form", "import", await WriteAsync(FormParserTests.Minimal), "--procedure", procedure);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        await using var scope = app.Scope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Forms.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_slug_belongs_to_one_procedure()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-1"), Builders.Procedure("KT-2"));
        var form = JsonNode.Parse(FormParserTests.Minimal)!.AsObject();
        form.Remove("procedure");
        var file = await WriteAsync(form.ToJsonString());
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-1")).ExitCode);

        var result = await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-2");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("$.slug: slug 'test-form' は手続 KT-1 のフォームで使われています", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_an_unknown_form_says_how_to_import_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();

        var result = await CliRunner.RunAsync(app.Database, "form", "publish", "nothing");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("フォーム 'nothing' はありません。先に `./madoguchi form import`", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task An_inventory_import_with_replace_keeps_a_procedure_that_has_a_form_and_writes_nothing()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var both = Catalog.InventoryTestKit.WriteMunicipal(app.Database, "both.csv",
            "KT-1,転入届,区民部,区民課,,届出,個人,可,,,,未,,,",
            "KT-2,転出届,区民部,区民課,,届出,個人,可,,,,未,,,");
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "inventory", "import", both)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", await WriteAsync(FormParserTests.Minimal), "--procedure", "KT-1")).ExitCode);
        var onlyTwo = Catalog.InventoryTestKit.WriteMunicipal(app.Database, "two.csv", "KT-2,転出届（改）,区民部,区民課,,届出,個人,可,,,,未,,,");

        var result = await CliRunner.RunAsync(app.Database, "inventory", "import", onlyTwo, "--replace");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("手続 KT-1（転入届）には申請フォーム 'test-form' があるため削除できません", result.Stderr, StringComparison.Ordinal);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(["転入届", "転出届"], await db.Procedures.OrderBy(p => p.Code).Select(p => p.Name).ToListAsync(Ct));
    }
}
