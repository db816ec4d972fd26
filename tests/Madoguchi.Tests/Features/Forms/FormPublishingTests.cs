using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Submissions;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Forms;

/// <summary>Import, publish, versions and the inventory: through the CLI as an operator runs them.</summary>
public sealed class FormPublishingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> WriteAsync(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"form-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json, Ct);
        return path;
    }

    private static string Retitled(string title)
    {
        var form = JsonNode.Parse(FormParserTests.Minimal)!;
        form["title"]!["ja"] = title;
        return form.ToJsonString();
    }

    private static async Task<MadoguchiFactory> WithProcedureAsync(Action<Procedure>? configure = null)
    {
        var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-1", Builders.Department(), p =>
        {
            p.PlanFiscalYear = 2025;
            configure?.Invoke(p);
        }));
        return app;
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Publishing_makes_versions_only_for_changed_definitions_and_old_versions_stay_readable()
    {
        await using var app = await WithProcedureAsync();
        var v1 = await WriteAsync(Retitled("第一版"));
        var v2 = await WriteAsync(Retitled("第二版"));

        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", v1, "--procedure", "KT-1")).ExitCode);
        var first = await CliRunner.RunAsync(app.Database, "form", "publish", "test-form");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("版 1 を公開しました", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("棚卸 KT-1: 利用ツール （空） → Madoguchi", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("棚卸 KT-1: オンライン化状況 未 → 済", first.Stderr, StringComparison.Ordinal);

        // The same definition again (imported twice, published twice) makes no version 2.
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", v1, "--procedure", "KT-1")).ExitCode);
        var again = await CliRunner.RunAsync(app.Database, "form", "publish", "test-form");
        Assert.Contains("公開中の版 1 と同じです", again.Stderr, StringComparison.Ordinal);

        // A changed definition is the working one until published; residents still get version 1.
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", v2, "--procedure", "KT-1")).ExitCode);
        var client = app.CreateClient();
        Assert.Equal("第一版", await TitleAsync(client));
        var list = await CliRunner.RunAsync(app.Database, "form", "list");
        Assert.Contains("test-form\tKT-1\t第二版\t版1（未公開の変更あり）", list.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "publish", "test-form")).ExitCode);
        Assert.Equal("第二版", await TitleAsync(client));

        // Version 1 is pinned: unchanged, readable, with the hash it was published with.
        var old = await CliRunner.RunAsync(app.Database, "form", "export", "test-form", "--version", "1");
        Assert.Equal("第一版", JsonNode.Parse(old.Stdout)!["title"]!["ja"]!.GetValue<string>());
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var versions = await db.FormVersions.OrderBy(v => v.Number).ToListAsync(Ct);
        Assert.Equal([1, 2], versions.Select(v => v.Number));
        Assert.Equal(FormJson.Sha256(old.Stdout), versions[0].Sha256);
        Assert.NotEqual(versions[0].Sha256, versions[1].Sha256);
        Assert.All(versions, v => Assert.Equal("cli", v.PublishedBy));

        var missing = await CliRunner.RunAsync(app.Database, "form", "export", "test-form", "--version", "3");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("版 3 はありません。公開済みの版は 1〜2 です", missing.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> TitleAsync(HttpClient client)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/v1/forms/test-form", Ct));
        return doc.RootElement.GetProperty("definition").GetProperty("title").GetProperty("ja").GetString()!;
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Publishing_records_the_procedure_online_with_madoguchi_from_the_japan_date_in_history_and_kpis()
    {
        await using var app = await WithProcedureAsync();
        // 2025-06-30 20:00 UTC is already 1 July in Japan.
        app.Clock.Set(new DateTimeOffset(2025, 6, 30, 20, 0, 0, TimeSpan.Zero));
        // Through the service, which runs on the test's clock (the CLI runs on the real one).
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(FormParserTests.Minimal, "KT-1", "staff@example.jp", Ct);

        var published = await forms.PublishAsync("test-form", "staff@example.jp", Ct);

        Assert.Equal(["Status", "OnlineSince", "Tool"], published.InventoryChanges.Select(c => c.Field));
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var p = await db.Procedures.SingleAsync(x => x.Code == "KT-1", Ct);
        Assert.Equal((OnlineStatus.Done, new DateOnly(2025, 7, 1), "Madoguchi"), (p.Status, p.OnlineSince, p.Tool));
        var change = await db.ProcedureChanges.SingleAsync(c => c.ProcedureId == p.Id, Ct);
        Assert.Equal(("staff@example.jp", "form publish: test-form v1"), (change.Actor, change.Source));
        Assert.Equal(
            [("OnlineSince", null, "2025-07-01"), ("Status", "NotDone", "Done"), ("Tool", null, "Madoguchi")],
            ProcedureHistory.Read(change).Select(c => (c.Field, c.Old, c.New)).OrderBy(c => c.Field, StringComparer.Ordinal));

        var kpi = scope.ServiceProvider.GetRequiredService<OnlineKpiService>();
        Assert.Equal(0, (await kpi.OnlineAsync(new DateOnly(2025, 6, 30), RoundingMode.HalfUp, Ct)).Online);
        var july = await kpi.OnlineAsync(new DateOnly(2025, 7, 1), RoundingMode.HalfUp, Ct);
        Assert.Equal(1, july.Online);
        Assert.Equal((2025, "Madoguchi", 1, 1), july.ByPlanYearAndTool.Select(t => (t.FiscalYear, t.Tool, t.Planned, t.Done)).Single());

        // A later version keeps the day the procedure went online and writes no new history.
        app.Clock.Advance(TimeSpan.FromDays(40));
        await forms.ImportAsync(Retitled("改訂"), "KT-1", "staff@example.jp", Ct);
        Assert.Equal(2, (await forms.PublishAsync("test-form", "staff@example.jp", Ct)).Version.Number);
        await using var after = app.Scope();
        var db2 = after.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(new DateOnly(2025, 7, 1), (await db2.Procedures.SingleAsync(x => x.Code == "KT-1", Ct)).OnlineSince);
        Assert.Equal(1, await db2.ProcedureChanges.CountAsync(Ct));
    }

    [Fact]
    public async Task A_procedure_not_eligible_for_online_gets_no_published_form_and_keeps_its_status()
    {
        await using var app = await WithProcedureAsync(p =>
        {
            p.OnlineEligible = false;
            p.IneligibleReason = "原本の提示が必要";
        });
        var file = await WriteAsync(FormParserTests.Minimal);
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-1")).ExitCode);

        var refused = await CliRunner.RunAsync(app.Database, "form", "publish", "test-form");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("オンライン化不可（原本の提示が必要）", refused.Stderr, StringComparison.Ordinal);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(OnlineStatus.NotDone, (await db.Procedures.SingleAsync(Ct)).Status);
        Assert.Empty(await db.FormVersions.ToListAsync(Ct));
        Assert.Empty(await db.ProcedureChanges.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_my_number_field_needs_the_procedure_flag_at_import_and_again_at_publish()
    {
        await using var app = await WithProcedureAsync(p => p.UsesMyNumber = true);
        var form = JsonNode.Parse(FormParserTests.Minimal)!;
        form["pages"]![0]!["items"]!.AsArray().Add(new JsonObject { ["type"] = "my-number", ["key"] = "myNumber", ["label"] = new JsonObject { ["ja"] = "個人番号" } });
        var file = await WriteAsync(form.ToJsonString());
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-1")).ExitCode);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            (await db.Procedures.SingleAsync(Ct)).UsesMyNumber = false;
            await db.SaveChangesAsync(Ct);
        }

        var refused = await CliRunner.RunAsync(app.Database, "form", "publish", "test-form");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("$.pages[0].items[2].type: この手続は個人番号を利用する手続とされていない", refused.Stderr, StringComparison.Ordinal);
        var other = await CliRunner.RunAsync(app.Database, "form", "import", file, "--procedure", "KT-1");
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("$.pages[0].items[2].type", other.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_data_publishes_three_forms_on_planned_procedures_that_go_online_after_the_audit_date()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await using var scope = app.Scope();
        var loaded = await DemoData.LoadIfEmptyAsync(scope.ServiceProvider, Ct);

        Assert.Equal(["hoikusho-tensho", "juminhyo-utsushi", "riyousho-todoke"], loaded!.Forms);
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var procedures = await db.Forms.OrderBy(f => f.Slug).Select(f => f.Procedure!).ToListAsync(Ct);
        Assert.Equal(["保育所転所申請", "住民票の写し申請", "理容所届"], procedures.Select(p => p.Name));
        Assert.All(procedures, p => Assert.Equal((2025, "Madoguchi", new DateOnly(2025, 4, 1)), (p.PlanFiscalYear!.Value, p.Tool, p.OnlineSince!.Value)));

        // The audit date keeps its 231; the next day adds exactly the three forms.
        var kpi = scope.ServiceProvider.GetRequiredService<OnlineKpiService>();
        Assert.Equal(231, (await kpi.OnlineAsync(new DateOnly(2025, 3, 31), RoundingMode.HalfUp, Ct)).Online);
        Assert.Equal(234, (await kpi.OnlineAsync(new DateOnly(2025, 4, 1), RoundingMode.HalfUp, Ct)).Online);

        // The browser test's form: three pages, a family group, 和暦 date, postcode + address, フリガナ, attachment.
        var form = (await scope.ServiceProvider.GetRequiredService<PublishedForms>()
            .ForNewDraftAsync(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>(), "hoikusho-tensho", Ct))!.Definition;
        Assert.Equal(3, form.Pages.Count);
        Assert.Contains(form.Pages.SelectMany(p => p.Items), i => i is FormGroup { Key: "family" });
        var types = form.AllFields.Select(f => f.Type).ToHashSet();
        Assert.Superset(new HashSet<FieldType> { FieldType.Name, FieldType.Date, FieldType.Postcode, FieldType.Address, FieldType.File }, types);
        Assert.True(form.AllFields.Single(f => f.Key == "applicantName").Settings.Kana);
    }
}
