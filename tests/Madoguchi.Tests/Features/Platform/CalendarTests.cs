using System.Globalization;
using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Tests.Features.Platform;

[Trait(Traits.Storage, "true")]
public sealed class CalendarTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Holidays_json_lists_the_closed_days_of_2026_in_date_order()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var r = await CliRunner.RunAsync(db, "calendar", "holidays", "--year", "2026", "--format", "json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var days = JsonSerializer.Deserialize<List<Day>>(r.Stdout, JsonSerializerOptions.Web)!;
        Assert.Equal(23, days.Count);
        Assert.Equal(days.OrderBy(d => d.Date, StringComparer.Ordinal).Select(d => d.Date), days.Select(d => d.Date));
        Assert.Equal(new Day("2026-01-01", "木", "元日", "holiday"), days[0]);
        Assert.Equal(new Day("2026-01-02", "金", "年末年始", "year-end"), days[1]);
        Assert.Contains(new Day("2026-05-06", "水", "振替休日", "holiday"), days);
        Assert.Contains(new Day("2026-09-22", "火", "国民の休日", "holiday"), days);
        Assert.Equal(new Day("2026-12-31", "木", "年末年始", "year-end"), days[^1]);
        // Deterministic: the same database gives the same bytes.
        Assert.Equal(r.Stdout, (await CliRunner.RunAsync(db, "calendar", "holidays", "--year", "2026", "--format", "json")).Stdout);
    }

    [Fact]
    public async Task A_closure_is_added_listed_counted_and_removed()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        Assert.Equal("2027-01-05\n", (await CliRunner.RunAsync(db, "calendar", "business-days", "--from", "2026-12-25", "--add", "3")).Stdout.ReplaceLineEndings("\n"));

        var add = await CliRunner.RunAsync(db, "calendar", "closures", "add", "--date", "2026-12-28", "--reason", "システム更新");
        Assert.True(add.ExitCode == 0, add.Stderr);
        Assert.Contains("システム更新", add.Stdout);
        await using (var ctx = db.CreateContext())
        {
            var row = await ctx.Closures.SingleAsync(Ct);
            Assert.Equal((new DateOnly(2026, 12, 28), "システム更新"), (row.Date, row.Reason));
        }

        var list = await CliRunner.RunAsync(db, "calendar", "closures", "list");
        Assert.Equal([new Closed("2026-12-28", "システム更新")], JsonSerializer.Deserialize<List<Closed>>(list.Stdout, JsonSerializerOptions.Web));
        var holidays = await CliRunner.RunAsync(db, "calendar", "holidays", "--year", "2026", "--format", "json");
        Assert.Contains(JsonSerializer.Deserialize<List<Day>>(holidays.Stdout, JsonSerializerOptions.Web)!, d => d == new Day("2026-12-28", "月", "システム更新", "closure"));
        Assert.Equal("2027-01-06", (await CliRunner.RunAsync(db, "calendar", "business-days", "--from", "2026-12-25", "--add", "3")).Stdout.Trim());

        var remove = await CliRunner.RunAsync(db, "calendar", "closures", "remove", "--date", "2026-12-28");
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        await using (var ctx = db.CreateContext()) Assert.False(await ctx.Closures.AnyAsync(Ct));
        var again = await CliRunner.RunAsync(db, "calendar", "closures", "remove", "--date", "2026-12-28");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("2026-12-28 に登録された臨時の閉庁日はありません", again.Stderr);
    }

    [Fact]
    public async Task A_duplicate_closure_is_refused_and_keeps_the_first_reason()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        Assert.Equal(0, (await CliRunner.RunAsync(db, "calendar", "closures", "add", "--date", "２０２６－１２－２８", "--reason", "システム更新")).ExitCode);
        var dup = await CliRunner.RunAsync(db, "calendar", "closures", "add", "--date", "2026-12-28", "--reason", "庁舎点検");
        Assert.NotEqual(0, dup.ExitCode);
        Assert.Contains("2026-12-28 には既に閉庁日が登録されています（理由: システム更新）", dup.Stderr);
        Assert.Equal("", dup.Stdout);
        await using var ctx = db.CreateContext();
        Assert.Equal("システム更新", (await ctx.Closures.SingleAsync(Ct)).Reason);
    }

    [Theory]
    [InlineData("2026-02-30")]
    [InlineData("2026/12/28")]
    [InlineData("令和8年12月28日")]
    [InlineData("tomorrow")]
    public async Task A_date_that_is_not_iso_or_does_not_exist_is_refused_with_the_expected_form(string date)
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var r = await CliRunner.RunAsync(db, "calendar", "closures", "add", "--date", date, "--reason", "システム更新");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"--date '{date}' は日付として読めません", r.Stderr);
        Assert.Contains("yyyy-MM-dd", r.Stderr);
        await using var ctx = db.CreateContext();
        Assert.False(await ctx.Closures.AnyAsync(Ct));
    }

    [Fact]
    public async Task An_empty_reason_is_refused()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var r = await CliRunner.RunAsync(db, "calendar", "closures", "add", "--date", "2026-12-28", "--reason", "  ");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("閉庁の理由が空です", r.Stderr);
    }

    [Fact]
    public async Task The_service_loads_closures_and_knows_today_in_japan()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await using var ctx = db.CreateContext();
        var clock = new FakeClock(DateTimeOffset.Parse("2026-04-28T15:30:00Z", CultureInfo.InvariantCulture));
        var service = new BusinessCalendarService(ctx, clock);
        Assert.Equal(new DateOnly(2026, 4, 29), service.Today);
        await service.AddClosureAsync(new DateOnly(2026, 4, 30), "庁舎移転", Ct);
        var calendar = await service.LoadAsync(Ct);
        Assert.Equal("庁舎移転", calendar.ClosedReason(new DateOnly(2026, 4, 30)));
        Assert.Equal(new DateOnly(2026, 5, 1), calendar.AddBusinessDays(service.Today, 0));
    }

    private sealed record Closed(string Date, string Reason);

    private sealed record Day(string Date, string Weekday, string Name, string Kind);
}
