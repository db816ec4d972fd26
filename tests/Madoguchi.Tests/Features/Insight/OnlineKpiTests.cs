using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Tests.Features.Insight;

[Trait(Traits.Storage, "true")]
public sealed class OnlineKpiTests
{
    private static int _code;

    private static Procedure P(bool eligible = true, OnlineStatus status = OnlineStatus.NotDone, DateOnly? since = null, int? plan = 2024,
        string tool = "", InventoryLayout layout = InventoryLayout.Municipal, Department? dept = null) => new()
        {
            Code = $"T-{Interlocked.Increment(ref _code):00000}",
            Name = "テスト手続",
            Layout = layout,
            OnlineEligible = eligible,
            Status = status,
            OnlineSince = since,
            PlanFiscalYear = plan,
            Tool = tool,
            Department = dept,
        };

    private static async Task<(TestDatabase Db, MadoguchiDbContext Ctx, OnlineKpiService Kpi, FakeClock Clock)> SetUpAsync(params Procedure[] procedures)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await TestDatabase.CreateAsync(ct: ct);
        var ctx = db.CreateContext();
        ctx.Procedures.AddRange(procedures);
        await ctx.SaveChangesAsync(ct);
        ctx.ChangeTracker.Clear();
        var clock = new FakeClock(new DateTimeOffset(2025, 3, 31, 3, 0, 0, TimeSpan.Zero));
        return (db, ctx, new OnlineKpiService(ctx, new MunicipalityService(ctx, clock), clock), clock);
    }

    [Fact]
    public async Task A_procedure_counts_as_online_from_its_online_since_day_on()
    {
        var (db, ctx, kpi, _) = await SetUpAsync(
            P(status: OnlineStatus.Done, since: new DateOnly(2024, 7, 1)),
            P(status: OnlineStatus.Done, since: new DateOnly(2024, 7, 2)),
            P());
        await using var _db = db;
        await using var _ctx = ctx;
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(0, (await kpi.OnlineAsync(new DateOnly(2024, 6, 30), ct: ct)).Online);
        // A month alone means its 1st day: "2024-07" sees the first, not the second.
        var errors = new List<KpiError>();
        var july = KpiParameters.ParseAsOf("2024-07", errors);
        Assert.Empty(errors);
        Assert.Equal(1, (await kpi.OnlineAsync(july, ct: ct)).Online);
        var later = await kpi.OnlineAsync(new DateOnly(2024, 7, 2), ct: ct);
        Assert.Equal(2, later.Online);
        Assert.Equal(66.7m, later.OnlineRatePercent);
        Assert.Equal(new PlanYearProgress(2024, "令和6年度", 3, 2, 66.7m), Assert.Single(later.ByPlanYear));
    }

    [Fact]
    public async Task National_rows_are_eligible_unless_exempt_and_done_counts_at_any_date()
    {
        var (db, ctx, kpi, _) = await SetUpAsync(
            P(eligible: false, status: OnlineStatus.Done, layout: InventoryLayout.National, plan: null),
            P(eligible: false, status: OnlineStatus.Other, layout: InventoryLayout.National, plan: null),
            P(eligible: false, status: OnlineStatus.Exempt, layout: InventoryLayout.National, plan: null),
            P(eligible: false, status: OnlineStatus.NotDone, plan: null));
        await using var _db = db;
        await using var _ctx = ctx;

        var k = await kpi.OnlineAsync(new DateOnly(1990, 1, 1), ct: TestContext.Current.CancellationToken);
        Assert.Equal((4, 2, 1), (k.Total, k.Eligible, k.Online));
        Assert.Equal(50.0m, k.OnlineRatePercent);
        Assert.Equal(25.0m, k.NationalOnlineRatePercent);
        Assert.Empty(k.ByPlanYear);
    }

    [Fact]
    public async Task Plan_years_are_bucketed_labelled_and_an_empty_year_has_no_progress()
    {
        var (db, ctx, kpi, _) = await SetUpAsync(
            P(plan: 2019, status: OnlineStatus.Done, since: new DateOnly(2019, 5, 1), tool: "LoGoフォーム"),
            P(plan: 2023, status: OnlineStatus.Done, tool: "その他"),
            P(plan: 2025, tool: "Madoguchi"),
            P(plan: 2025),
            P(plan: 2025, tool: "ぴったりサービス"),
            P(plan: 2031, tool: "独自システム"));
        await using var _db = db;
        await using var _ctx = ctx;

        var k = await kpi.OnlineAsync(new DateOnly(2025, 3, 31), ct: TestContext.Current.CancellationToken);
        Assert.Equal(
            [(2023, "令和5年度まで", 2, 2, (decimal?)100.0m), (2024, "令和6年度", 0, 0, null), (2025, "令和7年度", 3, 0, 0.0m),
             (2026, "令和8年度", 0, 0, null), (2027, "令和9年度", 0, 0, null), (2028, "令和10年度", 0, 0, null),
             (2029, "令和11年度", 0, 0, null), (2030, "令和12年度以降", 1, 0, 0.0m)],
            k.ByPlanYear.Select(y => (y.FiscalYear, y.Label, y.Planned, y.Done, y.ProgressPercent)));
        Assert.Equal(
            [(2023, "LoGoフォーム"), (2023, "その他"), (2025, "ぴったりサービス"), (2025, "Madoguchi"), (2025, "（未定）"), (2030, "独自システム")],
            k.ByPlanYearAndTool.Select(t => (t.FiscalYear, t.Tool)));
    }

    [Fact]
    public async Task Defaults_are_today_in_japan_and_the_municipalitys_rounding()
    {
        // 2025-03-31 15:30 UTC is already 1 April in Japan.
        var (db, ctx, kpi, clock) = await SetUpAsync(
            P(status: OnlineStatus.Done, since: new DateOnly(2025, 4, 1)),
            P(), P(), P(), P(), P(), P(), P(), P(), P(), P(), P(), P(), P(), P(), P());
        await using var _db = db;
        await using var _ctx = ctx;
        var ct = TestContext.Current.CancellationToken;
        clock.Set(new DateTimeOffset(2025, 3, 31, 15, 30, 0, TimeSpan.Zero));

        var halfUp = await kpi.OnlineAsync(ct: ct);
        Assert.Equal(("2025-04-01", "half-up", 1, 6.3m), (halfUp.AsOf, halfUp.Rounding, halfUp.Online, halfUp.OnlineRatePercent)); // 1/16 = 6.25
        await new MunicipalityService(ctx, clock).SetAsync(null, null, RoundingMode.Truncate, ct);
        var truncated = await kpi.OnlineAsync(ct: ct);
        Assert.Equal(("truncate", 6.2m), (truncated.Rounding, truncated.OnlineRatePercent));
        Assert.Equal(6.3m, (await kpi.OnlineAsync(rounding: RoundingMode.HalfUp, ct: ct)).OnlineRatePercent);
    }

    [Fact]
    public async Task Departments_trend_and_usage_come_from_the_same_definitions()
    {
        var kumin = new Department { Bu = "区民部", Ka = "区民課" };
        var zei = new Department { Bu = "区民部", Ka = "課税課" };
        var a = P(status: OnlineStatus.Done, since: new DateOnly(2024, 5, 10), dept: kumin);
        var b = P(dept: kumin);
        var c = P(status: OnlineStatus.Done, since: new DateOnly(2025, 2, 1), dept: zei);
        var d = P(eligible: false, plan: null);
        a.Volumes = [new ProcedureVolume { FiscalYear = 2024, Total = 153, Online = 26 }];
        b.Volumes = [new ProcedureVolume { FiscalYear = 2024, Total = 0, Online = 0 }];
        c.Volumes = [new ProcedureVolume { FiscalYear = 2024, Total = 204, Online = 96 }, new ProcedureVolume { FiscalYear = 2025, Total = 10, Online = 9 }];
        d.Volumes = [new ProcedureVolume { FiscalYear = 2024, Total = 40 }];
        var (db, ctx, kpi, _) = await SetUpAsync(a, b, c, d);
        await using var _db = db;
        await using var _ctx = ctx;
        var ct = TestContext.Current.CancellationToken;
        var asOf = new DateOnly(2025, 3, 31);

        var depts = await kpi.DepartmentsAsync(asOf, RoundingMode.HalfUp, ct);
        Assert.Equal([("区民部", 3, 3, 2, (decimal?)66.7m), ("（未設定）", 1, 0, 0, null)], depts.ByBu.Select(x => (x.Bu, x.Total, x.Eligible, x.Online, x.OnlineRatePercent)));
        Assert.Equal([("課税課", 100.0m), ("区民課", (decimal?)50.0m), ("", null)], depts.ByKa.Select(x => (x.Ka, x.OnlineRatePercent)));

        var trend = await kpi.TrendAsync(asOf, RoundingMode.HalfUp, 12, ct);
        Assert.Equal(12, trend.Months.Count);
        Assert.Equal(("2024-04", "2024-04-30", 0), (trend.Months[0].Month, trend.Months[0].Date, trend.Months[0].Online));
        Assert.Equal(("2024-05", 1), (trend.Months[1].Month, trend.Months[1].Online));
        Assert.Equal(("2025-03", "2025-03-31", 2, (decimal?)66.7m), (trend.Months[^1].Month, trend.Months[^1].Date, trend.Months[^1].Online, trend.Months[^1].OnlineRatePercent));

        var usage = await kpi.UsageAsync(asOf, RoundingMode.Truncate, ct: ct);
        Assert.Equal(2024, usage.FiscalYear);
        // FY2025 has not started on 2025-03-31; d's online count is unknown so it stays out of the sum.
        var year = Assert.Single(usage.ByFiscalYear);
        Assert.Equal((2024, 3, 357L, 122L, (decimal?)34.1m), (year.FiscalYear, year.Procedures, year.TotalFilings, year.OnlineFilings, year.UsageRatePercent));
        Assert.Equal(
            [(a.Code, (decimal?)16.9m), (b.Code, null), (c.Code, 47.0m), (d.Code, null)],
            usage.Procedures.Select(p => (p.Code, p.UsageRatePercent)).OrderBy(p => p.Code, StringComparer.Ordinal));

        // Paging: two pages of two, the cursor carrying on where the first stopped.
        var first = await kpi.UsageAsync(asOf, null, 2024, 0, 2, ct);
        Assert.NotNull(first.NextCursor);
        var second = await kpi.UsageAsync(asOf, null, 2024, KpiParameters.DecodeCursor(first.NextCursor!)!.Value, 2, ct);
        Assert.Null(second.NextCursor);
        Assert.Equal(usage.Procedures.Select(p => p.Id), first.Procedures.Concat(second.Procedures).Select(p => p.Id));
    }

    [Theory]
    [InlineData("2025-13-01", null, "asOf", "invalid_date")]
    [InlineData("2025/03/31", null, "asOf", "invalid_date")]
    [InlineData(null, "up", "rounding", "invalid_rounding")]
    public void Bad_parameters_are_named_with_a_code_and_a_japanese_message(string? asOf, string? rounding, string field, string code)
    {
        var errors = new List<KpiError>();
        Assert.Null(KpiParameters.Parse(asOf, rounding, errors));
        var e = Assert.Single(errors);
        Assert.Equal((field, code), (e.Field, e.Code));
        Assert.Contains((asOf ?? rounding)!, e.Message);
    }
}
