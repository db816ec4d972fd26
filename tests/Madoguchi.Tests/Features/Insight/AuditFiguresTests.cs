using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Insight;

/// <summary>
/// The Done-when of the foundation issue: raw inventories imported through the CLI reproduce the
/// published figures (../shared/data/*.expected.json and the audit's printed tables), through the
/// CLI and the public API alike, on SQLite and on PostgreSQL.
/// </summary>
[Trait("storage", "true")]
public sealed class AuditFiguresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonElement Expected(string name) => JsonDocument.Parse(File.ReadAllText(Fixtures.Path(name))).RootElement;

    private static async Task ImportAsync(MadoguchiFactory app, string fixture)
    {
        var import = await CliRunner.RunAsync(app.Database, "inventory", "import", Fixtures.Path(fixture), "--volumes-fy", "2024");
        Assert.True(import.ExitCode == 0, import.Stderr);
    }

    [Fact]
    public async Task The_koto_inventory_reproduces_the_audit_tables_as_of_2025_03_31()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await ImportAsync(app, "inventory-koto-2025-03.csv");
        var expected = Expected("inventory-koto-2025-03.expected.json");

        var cli = await CliRunner.RunAsync(app.Database, "kpi", "online", "--as-of", "2025-03-31", "--rounding", "half-up", "--format", "json");
        Assert.Equal(0, cli.ExitCode);
        var api = await app.CreateClient().GetStringAsync("/api/v1/kpi/online?asOf=2025-03-31&rounding=half-up", Ct);
        // CLI and HTTP give the same JSON.
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(api)), JsonSerializer.Serialize(JsonDocument.Parse(cli.Stdout)));

        var kpi = JsonDocument.Parse(cli.Stdout).RootElement;
        Assert.Equal("2025-03-31", kpi.GetProperty("asOf").GetString());
        foreach (var field in new[] { "total", "eligible", "online" })
        {
            Assert.Equal(expected.GetProperty(field).GetInt32(), kpi.GetProperty(field).GetInt32());
        }
        Assert.Equal(expected.GetProperty("onlineRatePercent").GetDecimal(), kpi.GetProperty("onlineRatePercent").GetDecimal());
        Assert.Equal(expected.GetProperty("nationalOnlineRatePercent").GetDecimal(), kpi.GetProperty("nationalOnlineRatePercent").GetDecimal());
        Assert.Equal(12.1m, kpi.GetProperty("onlineRatePercent").GetDecimal());

        var byYear = kpi.GetProperty("byPlanYear").EnumerateArray().ToDictionary(y => y.GetProperty("fiscalYear").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var year in expected.GetProperty("byPlanYear").EnumerateObject())
        {
            var actual = byYear[year.Name];
            Assert.Equal(year.Value.GetProperty("planned").GetInt32(), actual.GetProperty("planned").GetInt32());
            Assert.Equal(year.Value.GetProperty("done").GetInt32(), actual.GetProperty("done").GetInt32());
            Assert.Equal(year.Value.GetProperty("progressPercent").GetDecimal(), actual.GetProperty("progressPercent").GetDecimal());
        }
        // The audit's printed figures: 100.0 / 83.3 / 1.6 / 1.4 / 3.7.
        Assert.Equal([100.0m, 83.3m, 1.6m, 1.4m, 3.7m], [.. new[] { "2023", "2024", "2025", "2026", "2027" }.Select(y => byYear[y].GetProperty("progressPercent").GetDecimal())]);
        Assert.Equal("令和5年度まで", byYear["2023"].GetProperty("label").GetString());

        var tools = kpi.GetProperty("byPlanYearAndTool").EnumerateArray().Where(t => t.GetProperty("fiscalYear").GetInt32() == 2024)
            .ToDictionary(t => t.GetProperty("tool").GetString()!);
        foreach (var tool in expected.GetProperty("byTool2024").EnumerateObject())
        {
            Assert.Equal(tool.Value.GetProperty("planned").GetInt32(), tools[tool.Name].GetProperty("planned").GetInt32());
            Assert.Equal(tool.Value.GetProperty("done").GetInt32(), tools[tool.Name].GetProperty("done").GetInt32());
            Assert.Equal(tool.Value.GetProperty("progressPercent").GetDecimal(), tools[tool.Name].GetProperty("progressPercent").GetDecimal());
        }
        Assert.Equal(76.7m, tools["LoGoフォーム"].GetProperty("progressPercent").GetDecimal());

        var truncated = JsonDocument.Parse((await CliRunner.RunAsync(app.Database, "kpi", "online", "--as-of", "2025-03-31", "--rounding", "truncate", "--format", "json")).Stdout).RootElement;
        Assert.Equal("truncate", truncated.GetProperty("rounding").GetString());
        Assert.Equal(expected.GetProperty("onlineRatePercentTruncated").GetDecimal(), truncated.GetProperty("onlineRatePercent").GetDecimal());
    }

    [Fact]
    public async Task The_koto_inventory_gives_the_audits_usage_rate_of_a_named_procedure()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await ImportAsync(app, "inventory-koto-2025-03.csv");

        var usage = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/api/v1/kpi/usage?fiscalYear=2024&rounding=truncate&limit=500&asOf=2025-03-31", Ct)).RootElement;
        var all = new List<JsonElement>(usage.GetProperty("procedures").EnumerateArray());
        var cursor = usage.GetProperty("nextCursor");
        while (cursor.ValueKind == JsonValueKind.String)
        {
            var next = JsonDocument.Parse(await app.CreateClient().GetStringAsync($"/api/v1/kpi/usage?fiscalYear=2024&rounding=truncate&limit=500&asOf=2025-03-31&cursor={Uri.EscapeDataString(cursor.GetString()!)}", Ct)).RootElement;
            all.AddRange(next.GetProperty("procedures").EnumerateArray());
            cursor = next.GetProperty("nextCursor");
        }
        // 変更届(医療法): 26 of 153 filings online — the audit prints 16.9% (truncated).
        var iryo = all.Single(p => p.GetProperty("name").GetString() == "変更届(医療法)");
        Assert.Equal(153, iryo.GetProperty("total").GetInt32());
        Assert.Equal(26, iryo.GetProperty("online").GetInt32());
        Assert.Equal(16.9m, iryo.GetProperty("usageRatePercent").GetDecimal());
    }

    [Fact]
    public async Task The_national_survey_sample_reproduces_its_counts_and_rates()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await ImportAsync(app, "procedures-survey-r7-sample.csv");
        var expected = Expected("procedures-survey-r7-sample.expected.json");

        var kpi = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/api/v1/kpi/online?rounding=half-up", Ct)).RootElement;
        Assert.Equal(expected.GetProperty("total").GetInt32(), kpi.GetProperty("total").GetInt32());
        Assert.Equal(expected.GetProperty("eligible").GetInt32(), kpi.GetProperty("eligible").GetInt32());
        Assert.Equal(expected.GetProperty("online").GetInt32(), kpi.GetProperty("online").GetInt32());
        Assert.Equal(expected.GetProperty("onlineRatePercent").GetDecimal(), kpi.GetProperty("onlineRatePercent").GetDecimal());
        // 1,125 / 2,000 = 56.25 %: half-up gives 56.3 where banker's rounding would give 56.2.
        Assert.Equal(expected.GetProperty("nationalOnlineRatePercent").GetDecimal(), kpi.GetProperty("nationalOnlineRatePercent").GetDecimal());

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var statusNames = new Dictionary<OnlineStatus, string> { [OnlineStatus.Done] = "1 実施済", [OnlineStatus.NotDone] = "2 未実施", [OnlineStatus.Exempt] = "3 適用除外", [OnlineStatus.Other] = "4 その他" };
        var byStatus = await db.Procedures.GroupBy(p => p.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct);
        foreach (var s in expected.GetProperty("byStatus").EnumerateObject())
        {
            Assert.Equal(s.Value.GetInt32(), byStatus.Single(x => statusNames[x.Key] == s.Name).Count);
        }
        var byYear = await db.Procedures.Where(p => p.PlanFiscalYear != null).GroupBy(p => p.PlanFiscalYear!.Value).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct);
        foreach (var y in expected.GetProperty("byPlannedYear").EnumerateObject())
        {
            var year = int.Parse(y.Name.Split(' ')[1][..4], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(y.Value.GetInt32(), byYear.Single(x => x.Key == year).Count);
        }
        var byEvent = await db.ProcedureLifeEvents.Where(e => e.Kind == LifeEventKind.Personal).GroupBy(e => e.Event).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct);
        foreach (var e in expected.GetProperty("byEvent").EnumerateObject())
        {
            Assert.Equal(e.Value.GetInt32(), byEvent.Single(x => x.Key == e.Name).Count);
        }
        var volumes = await db.ProcedureVolumes.Where(v => v.FiscalYear == 2024).ToListAsync(Ct);
        Assert.Equal(expected.GetProperty("volumeTotal").GetInt64(), volumes.Sum(v => (long)(v.Total ?? 0)));
        Assert.Equal(expected.GetProperty("volumeOnline").GetInt64(), volumes.Sum(v => (long)(v.Online ?? 0)));
    }
}
