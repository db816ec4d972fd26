using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>Measurement from the ledger: オンライン利用率 by channel (or imported volumes before the ledger), processing figures.</summary>
public sealed class LedgerKpiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClaimsPrincipal Admin() => new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

    private static DateTimeOffset Jst(int year, int month, int day) => new(year, month, day, 10, 0, 0, TimeSpan.FromHours(9));

    private static async Task SubmitOnlineAsync(MadoguchiFactory app, int count)
    {
        using var resident = app.CreatePlainClient();
        for (var i = 0; i < count; i++) Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(resident, SubmissionKit.GoodAnswers())).StatusCode);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task With_three_online_and_one_counter_case_in_fy2026_the_usage_rate_is_75_percent_from_the_ledger_and_fy2024_says_imported()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(Jst(2026, 6, 1));
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        await app.SaveAsync(new ProcedureVolume { ProcedureId = procedureId, FiscalYear = 2024, Total = 200, Online = 50, NonOnline = 150 });
        await SubmitOnlineAsync(app, 3);
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);
        Assert.Equal(HttpStatusCode.OK, (await KeyingKit.KeyKosodateAsync(staff, procedureId, "counter")).StatusCode);
        var asOf = new DateOnly(2026, 6, 30);

        await using (var scope = app.Scope())
        {
            var kpi = scope.ServiceProvider.GetRequiredService<OnlineKpiService>();
            var usage = await kpi.UsageAsync(asOf, RoundingMode.HalfUp, 2026, 0, 100, Ct);
            var row = Assert.Single(usage.Procedures);
            Assert.Equal((UsageSources.Ledger, (int?)4, (int?)3, (decimal?)75.0m), (row.Source, row.Total, row.Online, row.UsageRatePercent));
            Assert.Equal("75.0", row.UsageRatePercent!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var fy2026 = usage.ByFiscalYear.Single(y => y.FiscalYear == 2026);
            Assert.Equal((UsageSources.Ledger, 4L, 3L, (decimal?)75.0m), (fy2026.Source, fy2026.TotalFilings, fy2026.OnlineFilings, fy2026.UsageRatePercent));
            var fy2024 = usage.ByFiscalYear.Single(y => y.FiscalYear == 2024);
            Assert.Equal((UsageSources.Imported, 200L, 50L, (decimal?)25.0m), (fy2024.Source, fy2024.TotalFilings, fy2024.OnlineFilings, fy2024.UsageRatePercent));
            var imported = Assert.Single((await kpi.UsageAsync(asOf, RoundingMode.HalfUp, 2024, 0, 100, Ct)).Procedures);
            Assert.Equal((UsageSources.Imported, (decimal?)25.0m), (imported.Source, imported.UsageRatePercent));
            // Without a year the newest one with data is listed: the ledger's FY2026.
            Assert.Equal(2026, (await kpi.UsageAsync(asOf, RoundingMode.HalfUp, ct: Ct)).FiscalYear);
        }

        // The same numbers on the open API, the dashboard and the procedure's statistics page.
        using var anonymous = app.CreatePlainClient();
        var json = JsonNode.Parse(await anonymous.GetStringAsync("/api/v1/kpi/usage?asOf=2026-06-30&fiscalYear=2026", Ct))!;
        Assert.Equal("ledger", json["procedures"]![0]!["source"]!.GetValue<string>());
        Assert.Equal(75.0m, json["procedures"]![0]!["usageRatePercent"]!.GetValue<decimal>());
        var dashboard = await anonymous.GetStringAsync("/kpi?asOf=2026-06-30", Ct);
        // The usage table's source column (the hint above it names both words too).
        Assert.Contains(">台帳から</td>", dashboard);
        Assert.Contains(">取込値</td>", dashboard);
        var stats = WebUtility.HtmlDecode(await staff.GetStringAsync($"/staff/ledger/{procedureId}/stats", Ct));
        Assert.Contains("75.0%（3/4）", stats);
        Assert.Contains("25.0%（50/200）", stats);
        Assert.Contains("台帳から", stats);
        Assert.Contains("取込値", stats);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Median_business_days_to_completion_share_within_the_standard_period_and_corrections_come_from_the_ledger()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Procedures.ExecuteUpdateAsync(u => u.SetProperty(p => p.StandardProcessingDays, 5), Ct);
        }
        // Monday 2026-06-01: four applications, due 5 business days later on Monday 6/8.
        app.Clock.Set(Jst(2026, 6, 1));
        await SubmitOnlineAsync(app, 4);
        List<Guid> ids;
        await using (var scope = app.Scope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.OrderBy(c => c.ReceiptNumber).Select(c => c.Id).ToListAsync(Ct);
        }
        var actor = new CaseActor("t", "審査 一郎");
        async Task ActAsync(DateTimeOffset at, Guid id, Func<CaseService, Case, Task<CaseChange>> act)
        {
            app.Clock.Set(at);
            await using var scope = app.Scope();
            var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
            Assert.IsType<CaseChange.Done>(await act(cases, (await cases.FindAsync(Admin(), id, Ct))!));
        }
        await ActAsync(Jst(2026, 6, 2), ids[3], (s, c) => s.RequestCorrectionAsync(c,
            new CorrectionRequest { FieldsJson = "[\"email\"]", Message = "メールアドレスを記入してください。", SecretHash = ReceiptNumbers.Hash(ReceiptNumbers.NewSecret()) }, actor, Ct));
        await ActAsync(Jst(2026, 6, 3), ids[0], (s, c) => s.ChangeStatusAsync(c, CaseWorkflow.Completed, actor, null, Ct)); // 2 business days, within
        await ActAsync(Jst(2026, 6, 4), ids[1], (s, c) => s.ChangeStatusAsync(c, CaseWorkflow.Completed, actor, null, Ct)); // 3, within
        await ActAsync(Jst(2026, 6, 10), ids[2], (s, c) => s.ChangeStatusAsync(c, CaseWorkflow.Completed, actor, null, Ct)); // 7, after 6/8

        await using (var scope = app.Scope())
        {
            var kpi = scope.ServiceProvider.GetRequiredService<OnlineKpiService>();
            var year = Assert.Single((await kpi.ProcedureStatsAsync(procedureId, new DateOnly(2026, 6, 30), RoundingMode.HalfUp, Ct)).Years);
            Assert.Equal(UsageSources.Ledger, year.Source);
            Assert.Equal(new ProcessingFigures(3, 3m, 3, 2, 66.7m, 1), year.Processing);
            var row = Assert.Single((await kpi.UsageAsync(new DateOnly(2026, 6, 30), RoundingMode.Truncate, 2026, 0, 100, Ct)).Procedures);
            Assert.Equal(new ProcessingFigures(3, 3m, 3, 2, 66.6m, 1), row.Processing);
        }
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);
        var page = WebUtility.HtmlDecode(await staff.GetStringAsync($"/staff/ledger/{procedureId}/stats", Ct));
        Assert.Contains("66.7%（2/3）", page);
        Assert.Contains("3 日", page);
    }

    [Fact]
    public void The_median_of_an_even_count_is_the_mean_of_the_two_middle_values_and_of_none_is_null()
    {
        Assert.Equal(4.5m, OnlineKpiService.Median([(2, 1), (7, 1)]));
        Assert.Equal(3m, OnlineKpiService.Median([(1, 1), (3, 5), (9, 1)]));
        Assert.Null(OnlineKpiService.Median([]));
    }
}
