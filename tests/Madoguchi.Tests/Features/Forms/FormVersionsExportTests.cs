using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Forms;

/// <summary>`form export --all-versions` and `form import` of its file: a form moves with its version history.</summary>
public sealed class FormVersionsExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> WriteAsync(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"form-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json, Ct);
        return path;
    }

    /// <summary>Version n of the minimal form: each renames the note field once more.</summary>
    private static string Version(int n)
    {
        var form = JsonNode.Parse(FormParserTests.Minimal)!.AsObject();
        form["title"]!["ja"] = $"第{n}版";
        form["pages"]![0]!["items"]![1]!["key"] = n == 1 ? "note" : $"note{n}";
        if (n > 1) form["changes"] = new JsonObject { ["from"] = n - 1, ["renamed"] = new JsonObject { [n == 2 ? "note" : $"note{n - 1}"] = $"note{n}" } };
        return form.ToJsonString();
    }

    private static async Task<MadoguchiFactory> WithProcedureAsync()
    {
        var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-1", Builders.Department(), p => p.PlanFiscalYear = 2025));
        return app;
    }

    private static async Task RunAsync(MadoguchiFactory app, params string[] args)
    {
        var run = await CliRunner.RunAsync(app.Database, args);
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task An_export_with_all_versions_imports_into_another_installation_and_exports_back_the_same()
    {
        await using var source = await WithProcedureAsync();
        foreach (var n in new[] { 1, 2 })
        {
            await RunAsync(source, "form", "import", await WriteAsync(Version(n)), "--procedure", "KT-1");
            await RunAsync(source, "form", "publish", "test-form");
        }
        await RunAsync(source, "form", "import", await WriteAsync(Version(3)), "--procedure", "KT-1"); // working, not published
        var exported = await CliRunner.RunAsync(source.Database, "form", "export", "test-form", "--all-versions");
        Assert.True(exported.ExitCode == 0, exported.Stderr);
        var file = JsonNode.Parse(exported.Stdout)!;
        Assert.Equal([1, 2], file["versions"]!.AsArray().Select(v => v!["number"]!.GetValue<int>()));
        Assert.Equal("第3版", file["working"]!["title"]!["ja"]!.GetValue<string>());

        await using var target = await WithProcedureAsync();
        var path = await WriteAsync(exported.Stdout);
        var imported = await CliRunner.RunAsync(target.Database, "form", "import", path, "--procedure", "KT-1");
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        Assert.Contains("公開済みの版を 2 件取り込みました", imported.Stderr, StringComparison.Ordinal);

        // The same file comes back out, byte for byte: versions, hashes, times and the working definition.
        Assert.Equal(exported.Stdout, (await CliRunner.RunAsync(target.Database, "form", "export", "test-form", "--all-versions")).Stdout);
        Assert.Equal((await CliRunner.RunAsync(source.Database, "form", "export", "test-form", "--version", "2")).Stdout,
            (await CliRunner.RunAsync(target.Database, "form", "export", "test-form", "--version", "2")).Stdout);

        // History, not live: residents get nothing until the form is published here.
        var client = target.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/forms/test-form", Ct)).StatusCode);
        var published = await CliRunner.RunAsync(target.Database, "form", "publish", "test-form");
        Assert.True(published.ExitCode == 0, published.Stderr);
        Assert.Contains("版 3 を公開しました", published.Stderr, StringComparison.Ordinal); // the working one, checked against version 2
        var live = JsonNode.Parse(await client.GetStringAsync("/api/v1/forms/test-form", Ct))!;
        Assert.Equal(3, live["version"]!.GetValue<int>());

        // A file whose working definition is its newest version: publishing makes that version live, no new one.
        await using var third = await WithProcedureAsync();
        var history = JsonNode.Parse(exported.Stdout)!.AsObject();
        history.Remove("working");
        var noWorking = await CliRunner.RunAsync(third.Database, "form", "import", await WriteAsync(history.ToJsonString()), "--procedure", "KT-1");
        Assert.True(noWorking.ExitCode == 0, noWorking.Stderr);
        Assert.Contains("版 2 を公開しました", (await CliRunner.RunAsync(third.Database, "form", "publish", "test-form")).Stderr, StringComparison.Ordinal);
        Assert.Equal(2, JsonNode.Parse(await third.CreateClient().GetStringAsync("/api/v1/forms/test-form", Ct))!["version"]!.GetValue<int>());

        // Importing the file again adds nothing: its versions are already here.
        var again = await CliRunner.RunAsync(target.Database, "form", "import", path, "--procedure", "KT-1");
        Assert.True(again.ExitCode == 0, again.Stderr);
        await using var scope = target.Scope();
        Assert.Equal([1, 2, 3], await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().FormVersions.OrderBy(v => v.Number).Select(v => v.Number).ToListAsync(Ct));
    }

    [Fact]
    public async Task An_edited_old_version_or_an_undeclared_change_in_the_history_is_refused_and_nothing_is_imported()
    {
        await using var source = await WithProcedureAsync();
        await RunAsync(source, "form", "import", await WriteAsync(Version(1)), "--procedure", "KT-1");
        await RunAsync(source, "form", "publish", "test-form");
        var exported = JsonNode.Parse((await CliRunner.RunAsync(source.Database, "form", "export", "test-form", "--all-versions")).Stdout)!;

        var edited = exported.DeepClone();
        edited["versions"]![0]!["definition"]!["title"]!["ja"] = "書き換えた題名";
        // A second version whose changes do not account for the renamed note.
        var undeclared = exported.DeepClone();
        var v2 = JsonNode.Parse(Version(2))!;
        v2.AsObject().Remove("changes");
        v2["procedure"] = "KT-1";
        var canonical = Madoguchi.Web.Features.Forms.FormJson.Write(Madoguchi.Web.Features.Forms.FormParser.Parse(v2.ToJsonString(), false).Definition!);
        undeclared["versions"]!.AsArray().Add(new JsonObject
        {
            ["number"] = 2,
            ["publishedAt"] = "2026-04-01T00:00:00Z",
            ["sha256"] = Madoguchi.Web.Features.Forms.FormJson.Sha256(canonical),
            ["definition"] = JsonNode.Parse(canonical),
        });

        await using var target = await WithProcedureAsync();
        var first = await CliRunner.RunAsync(target.Database, "form", "import", await WriteAsync(edited.ToJsonString()), "--procedure", "KT-1");
        Assert.NotEqual(0, first.ExitCode);
        Assert.Contains("$.versions[0].sha256: 版 1 の定義が書き出したときの SHA-256 と一致しません", first.Stderr, StringComparison.Ordinal);
        var second = await CliRunner.RunAsync(target.Database, "form", "import", await WriteAsync(undeclared.ToJsonString()), "--procedure", "KT-1");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("$.versions[1].definition.changes: 版 1 の項目 'note'（備考）がこの定義にありません", second.Stderr, StringComparison.Ordinal);

        await using var scope = target.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(0, await db.Forms.CountAsync(Ct));
        Assert.Equal(0, await db.FormVersions.CountAsync(Ct));
    }
}
