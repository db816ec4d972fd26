using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Tests.Shared.Japanese;

public sealed class WarekiTests
{
    [Theory]
    [InlineData("2025-04-01", 2025, 4, 1)]
    [InlineData("2025/4/1", 2025, 4, 1)]
    [InlineData("R7.4.1", 2025, 4, 1)]
    [InlineData("令和7年4月1日", 2025, 4, 1)]
    [InlineData("令和元年5月1日", 2019, 5, 1)]
    [InlineData("平成31年4月30日", 2019, 4, 30)]
    [InlineData("２０２５－０４－０１", 2025, 4, 1)]
    [InlineData("令和７年４月１日", 2025, 4, 1)]
    [InlineData(" 令和 7 年 4 月 1 日 ", 2025, 4, 1)]
    [InlineData("昭和64年1月7日", 1989, 1, 7)]
    [InlineData("平成元年1月8日", 1989, 1, 8)]
    public void Dates_are_read_in_every_usual_form(string text, int y, int m, int d)
        => Assert.Equal(new DateOnly(y, m, d), Wareki.ParseDate(text));

    [Theory]
    [InlineData("平成31年5月1日")] // 令和 had begun
    [InlineData("令和元年4月30日")] // 令和 had not begun
    [InlineData("2025-02-29")]
    [InlineData("2025-13-01")]
    [InlineData("令和0年4月1日")]
    [InlineData("きのう")]
    [InlineData("")]
    [InlineData(null)]
    public void Impossible_dates_are_null(string? text) => Assert.Null(Wareki.ParseDate(text));

    [Theory]
    [InlineData("2024-07", 2024, 7)]
    [InlineData("2024/7", 2024, 7)]
    [InlineData("2024年7月", 2024, 7)]
    [InlineData("令和6年7月", 2024, 7)]
    [InlineData("R6.7", 2024, 7)]
    [InlineData("２０２４－０７", 2024, 7)]
    public void Months_are_read(string text, int y, int m) => Assert.Equal((y, m), Wareki.ParseMonth(text));

    [Theory]
    [InlineData("2024-13")]
    [InlineData("2024-00")]
    [InlineData("令和元年4月")]
    public void Impossible_months_are_null(string text) => Assert.Null(Wareki.ParseMonth(text));

    [Theory]
    [InlineData("令和6年度", 2024, PlanYearBound.Exact)]
    [InlineData("令和５年度まで", 2023, PlanYearBound.OrEarlier)]
    [InlineData("令和元年度", 2019, PlanYearBound.Exact)]
    [InlineData("平成31年度", 2019, PlanYearBound.Exact)]
    [InlineData("2024年度", 2024, PlanYearBound.Exact)]
    [InlineData("2030年度以降", 2030, PlanYearBound.OrLater)]
    [InlineData(" 令和 9 年度 ", 2027, PlanYearBound.Exact)]
    public void Fiscal_years_are_read(string text, int year, PlanYearBound bound)
        => Assert.Equal(new FiscalYearSpec(year, bound), Wareki.ParseFiscalYear(text));

    [Theory]
    [InlineData("令和0年度")]
    [InlineData("平成40年度")] // 平成 ended in 2019
    [InlineData("来年度")]
    public void Impossible_fiscal_years_are_null(string text) => Assert.Null(Wareki.ParseFiscalYear(text));

    [Fact]
    public void Dates_and_fiscal_years_are_written_in_wareki()
    {
        Assert.Equal("令和7年4月1日", Wareki.Format(new DateOnly(2025, 4, 1)));
        Assert.Equal("令和元年5月1日", Wareki.Format(new DateOnly(2019, 5, 1)));
        Assert.Equal("平成31年4月30日", Wareki.Format(new DateOnly(2019, 4, 30)));
        Assert.Equal("令和元年度", Wareki.FormatFiscalYear(2019));
        Assert.Equal("令和5年度まで", Wareki.FormatFiscalYear(2023, PlanYearBound.OrEarlier));
        Assert.Equal("2025年(令和7年)", Wareki.FormatYear(2025));
    }

    [Fact]
    public void The_last_completed_fiscal_year_follows_japan_time()
    {
        // 2025-03-31 15:00 UTC is already 1 April in Tokyo: fiscal 2024 has ended.
        Assert.Equal(2024, Wareki.LastCompletedFiscalYear(new Infrastructure.FakeClock(new DateTimeOffset(2025, 3, 31, 15, 0, 0, TimeSpan.Zero))));
        Assert.Equal(2023, Wareki.LastCompletedFiscalYear(new Infrastructure.FakeClock(new DateTimeOffset(2025, 3, 31, 14, 59, 0, TimeSpan.Zero))));
    }

    [Fact]
    public void Parsers_never_throw_on_any_text()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), s =>
        {
            _ = Wareki.ParseDate(s);
            _ = Wareki.ParseMonth(s);
            _ = Wareki.ParseFiscalYear(s);
            _ = TextNormalizer.Normalize(s);
            _ = TextNormalizer.Squeeze(s);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Parsers_never_throw_on_era_like_text()
    {
        var pieces = Gen.Elements("令和", "平成", "昭和", "R", "H", "元", "年", "月", "日", "度", "まで", "以降", "0", "1", "31", "99", "9999", "１２", ".", "/", "-", " ", "　", "\ud800");
        var texts = Gen.ListOf(pieces).Select(xs => string.Concat(xs)).ToArbitrary();
        Prop.ForAll(texts, s =>
        {
            _ = Wareki.ParseDate(s);
            _ = Wareki.ParseMonth(s);
            _ = Wareki.ParseFiscalYear(s);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Every_day_from_1989_to_2100_round_trips_through_wareki()
    {
        var start = new DateOnly(1989, 1, 1).DayNumber;
        var end = new DateOnly(2100, 12, 31).DayNumber;
        var days = Gen.Choose(start, end).Select(DateOnly.FromDayNumber).ToArbitrary();
        Prop.ForAll(days, d => Wareki.ParseDate(Wareki.Format(d)) == d).QuickCheckThrowOnFailure();
        Prop.ForAll(Gen.Choose(1989, 2100).ToArbitrary(), y => Wareki.ParseFiscalYear(Wareki.FormatFiscalYear(y)) == new FiscalYearSpec(y, PlanYearBound.Exact)).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("　ＬｏＧｏ　フォーム ", "LoGo フォーム")]
    [InlineData("１２３", "123")]
    [InlineData("a \t\r\n b", "a b")]
    public void Normalize_applies_nfkc_and_collapses_whitespace(string input, string expected)
        => Assert.Equal(expected, TextNormalizer.Normalize(input));

    [Fact]
    public void Squeeze_keeps_characters_as_written()
        => Assert.Equal("𠮷野（第1号）", TextNormalizer.Squeeze("  𠮷野（第1号）　"));
}
