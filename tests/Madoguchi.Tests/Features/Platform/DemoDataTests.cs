using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Platform;

public sealed class DemoDataTests
{
    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task The_demo_inventory_reproduces_the_audit_tables_and_moves_on_after_march_2025()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var scope = app.Scope();
        var loaded = await DemoData.LoadIfEmptyAsync(scope.ServiceProvider, ct);
        Assert.Equal(3058, loaded!.Procedures);
        var kpi = scope.ServiceProvider.GetRequiredService<OnlineKpiService>();
        var audit = new DateOnly(2025, 3, 31);

        var k = await kpi.OnlineAsync(audit, RoundingMode.HalfUp, ct);
        Assert.Equal((3058, 1906, 231, (decimal?)12.1m, (decimal?)7.6m), (k.Total, k.Eligible, k.Online, k.OnlineRatePercent, k.NationalOnlineRatePercent));
        Assert.Equal([(2023, 147, 147), (2024, 66, 55), (2025, 668, 11), (2026, 864, 12), (2027, 161, 6)], k.ByPlanYear.Select(y => (y.FiscalYear, y.Planned, y.Done)));
        Assert.Equal([100.0m, 83.3m, 1.6m, 1.4m, 3.7m], k.ByPlanYear.Select(y => y.ProgressPercent!.Value));
        Assert.Equal([("LoGoフォーム", 30, 23), ("ぴったりサービス", 2, 2), ("共同運営電子申請サービス", 2, 1), ("その他", 32, 29)],
            k.ByPlanYearAndTool.Where(t => t.FiscalYear == 2024).Select(t => (t.Tool, t.Planned, t.Done)));
        var t = await kpi.OnlineAsync(audit, RoundingMode.Truncate, ct);
        Assert.Equal((12.1m, 7.5m), (t.OnlineRatePercent!.Value, t.NationalOnlineRatePercent!.Value));

        // The audit prints usage truncated: 26/153 = 16.9%, 96/204 = 47.0%.
        var usage = await kpi.UsageAsync(audit, RoundingMode.Truncate, 2024, 0, KpiParameters.MaxLimit, ct);
        var all = usage.Procedures.ToList();
        for (var next = usage.NextCursor; next is not null;)
        {
            var page = await kpi.UsageAsync(audit, RoundingMode.Truncate, 2024, KpiParameters.DecodeCursor(next)!.Value, KpiParameters.MaxLimit, ct);
            all.AddRange(page.Procedures);
            next = page.NextCursor;
        }
        Assert.Equal(3058, all.Count);
        Assert.Equal((153, 26, 16.9m), all.Where(p => p.Name == "変更届(医療法)").Select(p => (p.Total, p.Online, p.UsageRatePercent)).Single());
        Assert.Equal((204, 96, 47.0m), all.Where(p => p.Name == "麻薬小売業者の年間届").Select(p => (p.Total, p.Online, p.UsageRatePercent)).Single());

        // The trend climbs through FY2024 and ends on the audit's figure.
        var trend = await kpi.TrendAsync(audit, RoundingMode.HalfUp, 24, ct);
        Assert.Equal(231, trend.Months[^1].Online);
        Assert.True(trend.Months[12].Online < trend.Months[^1].Online - 50, "FY2024 adds procedures month by month");
        Assert.True(trend.Months.Select(m => m.Online).Distinct().Count() > 10);

        // Later dates see the procedures that went online after the audit.
        var autumn = await kpi.OnlineAsync(new DateOnly(2025, 10, 31), RoundingMode.HalfUp, ct);
        Assert.True(autumn.Online > 231);
        Assert.True(autumn.ByPlanYear.Single(y => y.FiscalYear == 2025).Done > 11);

        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var events = await db.ProcedureLifeEvents.Where(e => e.Kind == LifeEventKind.Personal).Select(e => e.Event).Distinct().ToListAsync(ct);
        Assert.Equal(EventOrder.Order(StringComparer.Ordinal), events.Order(StringComparer.Ordinal));
        var kumin = await db.Departments.SingleAsync(d => d.Bu == "区民部" && d.Ka == "区民課", ct);
        Assert.True(await db.Procedures.CountAsync(p => p.DepartmentId == kumin.Id, ct) > 50);
    }

    private static readonly string[] EventOrder = ["妊娠", "出生・こども", "引越し", "就職・転職", "結婚・離婚", "自動車の購入・保有", "住宅の購入・保有", "介護", "医療・健康", "税金", "年金の受給", "死亡・相続"];

    [Fact]
    public void The_demo_inventory_is_the_same_on_every_run_and_shares_its_departments()
    {
        var now = new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var a = DemoInventory.Create(now);
        var b = DemoInventory.Create(now);
        Assert.Equal(3058, a.Count);
        Assert.Equal(a.Select(Describe), b.Select(Describe));
        Assert.Equal(a.Count, a.Select(p => p.Code).Distinct().Count());
        Assert.All(a, p => Assert.NotNull(p.Department));
        Assert.Equal(53, a.Select(p => p.Department).Distinct().Count());
        Assert.All(a.Where(p => p.Status == OnlineStatus.Done), p => Assert.NotNull(p.OnlineSince));
        Assert.All(a.Where(p => p.OnlineSince is { } d && d > new DateOnly(2025, 3, 31)), p => Assert.Equal(2025, p.PlanFiscalYear));
    }

    private static string Describe(Procedure p)
        => $"{p.Code}|{p.Name}|{p.Department!.DisplayName}|{p.OnlineEligible}|{p.PlanFiscalYear}|{p.Tool}|{p.Status}|{p.OnlineSince}|{string.Join(",", p.LifeEvents.Select(e => e.Event))}|{p.Volumes[0].Total}/{p.Volumes[0].Online}";
}
