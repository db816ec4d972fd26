using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Tests.Shared.Japanese;

public sealed class BusinessCalendarTests
{
    private static DateOnly D(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-01-10", "土曜日")]
    [InlineData("2026-01-11", "日曜日")]
    [InlineData("2026-03-20", "春分の日")]
    [InlineData("2026-05-06", "振替休日")]
    [InlineData("2026-09-22", "国民の休日")]
    [InlineData("2025-12-29", "年末年始")]
    [InlineData("2025-12-31", "年末年始")]
    [InlineData("2026-01-01", "元日")]   // a holiday's own name comes first
    [InlineData("2026-01-02", "年末年始")]
    [InlineData("2026-01-03", "年末年始")] // a Saturday, but 年末年始 says more
    [InlineData("2026-01-05", null)]
    [InlineData("2025-12-26", null)]
    [InlineData("2026-09-24", null)]
    public void Closed_days_carry_the_reason_residents_see(string date, string? reason)
    {
        Assert.Equal(reason, BusinessCalendar.Standard.ClosedReason(D(date)));
        Assert.Equal(reason is not null, BusinessCalendar.Standard.IsClosed(D(date)));
    }

    [Fact]
    public void A_municipality_closure_closes_that_day_only()
    {
        var calendar = new BusinessCalendar([new Closure { Date = D("2026-06-15"), Reason = "システム更新" }]);
        Assert.Equal("システム更新", calendar.ClosedReason(D("2026-06-15")));
        Assert.False(calendar.IsClosed(D("2026-06-16")));
        Assert.False(BusinessCalendar.Standard.IsClosed(D("2026-06-15")));
        Assert.Equal(D("2026-06-16"), calendar.AddBusinessDays(D("2026-06-12"), 1));
    }

    [Theory]
    [InlineData("2026-04-28", 1, "2026-04-30")] // 04-29 昭和の日
    [InlineData("2026-04-30", 1, "2026-05-01")]
    [InlineData("2026-05-01", 1, "2026-05-07")] // Sat, Sun, 憲法記念日, みどりの日, こどもの日, 振替休日
    [InlineData("2026-04-30", 3, "2026-05-08")]
    [InlineData("2026-05-03", 1, "2026-05-07")] // received on a closed day: counting starts the next day all the same
    [InlineData("2026-12-25", 1, "2026-12-28")]
    [InlineData("2026-12-25", 2, "2027-01-04")] // 12-29 … 01-03 closed
    [InlineData("2026-12-25", 3, "2027-01-05")]
    [InlineData("2026-12-28", 0, "2026-12-28")] // 0: the day itself when open …
    [InlineData("2026-05-03", 0, "2026-05-07")] // … else the next business day
    [InlineData("2026-05-07", -1, "2026-05-01")]
    [InlineData("2027-01-04", -1, "2026-12-28")]
    public void AddBusinessDays_skips_golden_week_and_year_end(string from, int days, string expected)
        => Assert.Equal(D(expected), BusinessCalendar.Standard.AddBusinessDays(D(from), days));

    [Fact]
    public void BusinessDaysBetween_counts_open_days_after_the_start_up_to_the_end()
    {
        var c = BusinessCalendar.Standard;
        Assert.Equal(4, c.BusinessDaysBetween(D("2026-04-28"), D("2026-05-08")));
        Assert.Equal(-4, c.BusinessDaysBetween(D("2026-05-08"), D("2026-04-28")));
        Assert.Equal(0, c.BusinessDaysBetween(D("2026-05-08"), D("2026-05-08")));
        Assert.Equal(0, c.BusinessDaysBetween(D("2026-12-28"), D("2027-01-03")));
        Assert.Equal(D("2026-05-07"), c.NextBusinessDay(D("2026-05-01")));
    }

    [Fact]
    public void Adding_n_business_days_lands_on_an_open_day_n_open_days_later()
    {
        var calendar = new BusinessCalendar([new Closure { Date = D("2026-12-28"), Reason = "システム更新" }]);
        var start = D("2019-01-01");
        var gen = from offset in Gen.Choose(0, 9 * 366)
                  from n in Gen.Choose(0, 60)
                  select (Date: start.AddDays(offset), N: n);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var end = calendar.AddBusinessDays(t.Date, t.N);
            var expectedCount = t.N == 0 ? (calendar.IsOpen(t.Date) ? 0 : 1) : t.N;
            return calendar.IsOpen(end)
                   && end >= t.Date
                   && calendar.BusinessDaysBetween(t.Date, end) == expectedCount
                   && calendar.AddBusinessDays(end, -Math.Max(t.N, 1)) < end;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_closed_days_of_a_year_list_holidays_year_end_and_closures_but_not_weekends()
    {
        var calendar = new BusinessCalendar([new Closure { Date = D("2026-06-15"), Reason = "システム更新" }]);
        var days = calendar.ClosedDaysInYear(2026);
        Assert.Equal(18 + 5 + 1, days.Count); // 18 holidays, 01-02, 01-03, 12-29…12-31, one closure
        Assert.Equal(days.OrderBy(d => d.Date), days);
        Assert.DoesNotContain(days, d => d.Kind == ClosedDayKind.Weekend);
        Assert.Contains(new ClosedDay(D("2026-06-15"), "システム更新", ClosedDayKind.Closure), days);
        Assert.Contains(new ClosedDay(D("2026-12-31"), "年末年始", ClosedDayKind.YearEnd), days);
    }

    [Theory]
    [InlineData("2026-03-31T14:59:59Z", "2026-03-31", 2025)]
    [InlineData("2026-03-31T15:00:00Z", "2026-04-01", 2026)] // midnight in Tokyo, still 3/31 in UTC
    [InlineData("2026-12-31T15:30:00Z", "2027-01-01", 2026)]
    public void Today_and_the_fiscal_year_are_those_of_Japan_whatever_the_server_zone(string utc, string japanDate, int fiscalYear)
    {
        var clock = new FakeClock(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture));
        var today = JapanTime.Today(clock);
        Assert.Equal(D(japanDate), today);
        Assert.Equal(fiscalYear, JapanTime.FiscalYearOf(today));
        Assert.Equal(TimeSpan.FromHours(9), JapanTime.Now(clock).Offset);
    }

    [Fact]
    public void A_fiscal_year_runs_from_april_to_march()
    {
        Assert.Equal((D("2025-04-01"), D("2026-03-31")), JapanTime.FiscalYearRange(2025));
        Assert.Equal(2025, JapanTime.FiscalYearOf(D("2025-04-01")));
        Assert.Equal(2024, JapanTime.FiscalYearOf(D("2025-03-31")));
    }
}
