using System.Globalization;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Tests.Shared.Japanese;

public sealed class JapaneseHolidaysTests
{
    // The national holidays as published by 内閣府 (「国民の祝日」について, syukujitsu.csv), one year per
    // entry. 内閣府 labels 振替休日, 国民の休日 and the 2019 special-law days "休日"; Madoguchi names them.
    public static readonly TheoryData<int, string> Published = new()
    {
        { 2019, """
            01-01 元日
            01-14 成人の日
            02-11 建国記念の日
            03-21 春分の日
            04-29 昭和の日
            04-30 国民の休日
            05-01 即位の日
            05-02 国民の休日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            05-06 振替休日
            07-15 海の日
            08-11 山の日
            08-12 振替休日
            09-16 敬老の日
            09-23 秋分の日
            10-14 体育の日
            10-22 即位礼正殿の儀
            11-03 文化の日
            11-04 振替休日
            11-23 勤労感謝の日
            """ },
        { 2020, """
            01-01 元日
            01-13 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            02-24 振替休日
            03-20 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            05-06 振替休日
            07-23 海の日
            07-24 スポーツの日
            08-10 山の日
            09-21 敬老の日
            09-22 秋分の日
            11-03 文化の日
            11-23 勤労感謝の日
            """ },
        { 2021, """
            01-01 元日
            01-11 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            03-20 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            07-22 海の日
            07-23 スポーツの日
            08-08 山の日
            08-09 振替休日
            09-20 敬老の日
            09-23 秋分の日
            11-03 文化の日
            11-23 勤労感謝の日
            """ },
        { 2022, """
            01-01 元日
            01-10 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            03-21 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            07-18 海の日
            08-11 山の日
            09-19 敬老の日
            09-23 秋分の日
            10-10 スポーツの日
            11-03 文化の日
            11-23 勤労感謝の日
            """ },
        { 2023, """
            01-01 元日
            01-02 振替休日
            01-09 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            03-21 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            07-17 海の日
            08-11 山の日
            09-18 敬老の日
            09-23 秋分の日
            10-09 スポーツの日
            11-03 文化の日
            11-23 勤労感謝の日
            """ },
        { 2024, """
            01-01 元日
            01-08 成人の日
            02-11 建国記念の日
            02-12 振替休日
            02-23 天皇誕生日
            03-20 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            05-06 振替休日
            07-15 海の日
            08-11 山の日
            08-12 振替休日
            09-16 敬老の日
            09-22 秋分の日
            09-23 振替休日
            10-14 スポーツの日
            11-03 文化の日
            11-04 振替休日
            11-23 勤労感謝の日
            """ },
        { 2025, """
            01-01 元日
            01-13 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            02-24 振替休日
            03-20 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            05-06 振替休日
            07-21 海の日
            08-11 山の日
            09-15 敬老の日
            09-23 秋分の日
            10-13 スポーツの日
            11-03 文化の日
            11-23 勤労感謝の日
            11-24 振替休日
            """ },
        { 2026, """
            01-01 元日
            01-12 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            03-20 春分の日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            05-06 振替休日
            07-20 海の日
            08-11 山の日
            09-21 敬老の日
            09-22 国民の休日
            09-23 秋分の日
            10-12 スポーツの日
            11-03 文化の日
            11-23 勤労感謝の日
            """ },
        { 2027, """
            01-01 元日
            01-11 成人の日
            02-11 建国記念の日
            02-23 天皇誕生日
            03-21 春分の日
            03-22 振替休日
            04-29 昭和の日
            05-03 憲法記念日
            05-04 みどりの日
            05-05 こどもの日
            07-19 海の日
            08-11 山の日
            09-20 敬老の日
            09-23 秋分の日
            10-11 スポーツの日
            11-03 文化の日
            11-23 勤労感謝の日
            """ },
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void Each_year_matches_the_published_list_exactly(int year, string expected)
    {
        var want = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => $"{year}-{line}").ToList();
        var got = JapaneseHolidays.InYear(year)
            .Select(h => $"{h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} {h.Name}").ToList();
        Assert.Equal(want, got);
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void NameOf_agrees_with_the_year_list_on_every_day(int year, string expected)
    {
        _ = expected;
        var list = JapaneseHolidays.InYear(year).ToDictionary(h => h.Date, h => h.Name);
        for (var d = new DateOnly(year, 1, 1); d.Year == year; d = d.AddDays(1))
        {
            Assert.Equal(list.GetValueOrDefault(d), JapaneseHolidays.NameOf(d));
        }
    }

    [Theory]
    [InlineData("2020-07-20")] // 海の日 moved to 07-23
    [InlineData("2020-08-11")] // 山の日 moved to 08-10
    [InlineData("2020-10-12")] // スポーツの日 moved to 07-24
    [InlineData("2021-07-19")]
    [InlineData("2021-08-11")]
    [InlineData("2021-10-11")]
    [InlineData("2019-12-23")] // no 天皇誕生日 in 2019
    [InlineData("2019-02-23")]
    public void The_usual_dates_of_moved_or_missing_holidays_are_ordinary_days(string date)
        => Assert.Null(JapaneseHolidays.NameOf(DateOnly.Parse(date, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("1959-04-10", "結婚の儀")]
    [InlineData("1989-02-24", "大喪の礼")]
    [InlineData("1990-11-12", "即位礼正殿の儀")]
    [InlineData("1993-06-09", "結婚の儀")]
    [InlineData("1973-04-30", "振替休日")] // the first one: 天皇誕生日 fell on a Sunday after 1973-04-12
    [InlineData("1987-05-04", "振替休日")] // 05-03 Sunday: before 2007 the Monday, never a 国民の休日
    [InlineData("1988-05-04", "国民の休日")]
    [InlineData("2006-05-04", "国民の休日")]
    [InlineData("2007-05-04", "みどりの日")]
    [InlineData("2006-04-29", "みどりの日")]
    [InlineData("1988-04-29", "天皇誕生日")]
    [InlineData("2018-12-23", "天皇誕生日")]
    [InlineData("2018-12-24", "振替休日")]
    [InlineData("1999-01-15", "成人の日")]
    [InlineData("1999-10-10", "体育の日")]
    [InlineData("1999-10-11", "振替休日")] // 10-10 was a Sunday
    [InlineData("2000-10-09", "体育の日")] // second Monday from 2000
    [InlineData("2002-07-20", "海の日")]
    [InlineData("2002-09-15", "敬老の日")]
    [InlineData("2003-09-15", "敬老の日")] // third Monday
    [InlineData("2008-05-06", "振替休日")] // 05-04 Sunday: moves past こどもの日 (since 2007)
    [InlineData("2009-09-22", "国民の休日")]
    [InlineData("2015-09-22", "国民の休日")]
    [InlineData("2016-08-11", "山の日")]
    [InlineData("2032-09-21", "国民の休日")] // 敬老の日 09-20, 秋分の日 09-22
    public void Historical_rules_apply_in_the_years_they_were_law(string date, string name)
        => Assert.Equal(name, JapaneseHolidays.NameOf(DateOnly.Parse(date, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("1973-02-12")] // 建国記念の日 was a Sunday, but 振替休日 only started on 1973-04-12
    [InlineData("1985-05-04")] // 国民の休日 only started on 1985-12-27
    [InlineData("1948-01-01")] // the law came into force on 1948-07-20
    [InlineData("1948-04-29")]
    public void No_rule_applies_before_it_was_law(string date)
        => Assert.Null(JapaneseHolidays.NameOf(DateOnly.Parse(date, CultureInfo.InvariantCulture)));

    [Fact]
    public void The_equinoxes_follow_the_astronomical_formula()
    {
        // Dates published (or, for 2092, predicted) by 国立天文台, including the turns that only the formula's decimals get right.
        Assert.Equal(20, JapaneseHolidays.VernalEquinoxDay(1980));
        Assert.Equal(21, JapaneseHolidays.VernalEquinoxDay(1983));
        Assert.Equal(20, JapaneseHolidays.VernalEquinoxDay(2024));
        Assert.Equal(19, JapaneseHolidays.VernalEquinoxDay(2092)); // the first 3/19 since the law
        Assert.Equal(24, JapaneseHolidays.AutumnalEquinoxDay(1979)); // the last 9/24
        Assert.Equal(22, JapaneseHolidays.AutumnalEquinoxDay(2012)); // the first 9/22 in 116 years
        Assert.Equal("秋分の日", JapaneseHolidays.NameOf(new DateOnly(1948, 9, 23)));
        Assert.Null(JapaneseHolidays.VernalEquinoxDay(2151));
    }

    [Fact]
    public void Before_the_law_and_beyond_the_formula_nothing_throws()
    {
        Assert.Empty(JapaneseHolidays.InYear(1900));
        Assert.Null(JapaneseHolidays.NameOf(DateOnly.MinValue));
        Assert.Null(JapaneseHolidays.NameOf(DateOnly.MaxValue));
        var far = JapaneseHolidays.InYear(9999);
        Assert.Contains(far, h => h.Name == "元日");
        Assert.DoesNotContain(far, h => h.Name == "春分の日");
    }
}
