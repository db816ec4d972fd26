using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Tests.Shared.Localization;

public sealed class ResidentFormatTests
{
    // 2025-03-31 23:30 in UTC is already 1 April in Japan, the day a resident sees.
    private static readonly DateTimeOffset Instant = new(2025, 3, 31, 23, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Japanese_pages_show_the_era_with_the_gregorian_date_and_english_pages_the_date_in_words()
    {
        Assert.Equal("令和7年4月1日（2025-04-01）8:30", ResidentFormat.DateTime(Instant, Language.Ja));
        Assert.Equal("令和7年4月1日（2025-04-01）8:30", ResidentFormat.DateTime(Instant, Language.Easy));
        Assert.Equal("1 April 2025, 8:30", ResidentFormat.DateTime(Instant, Language.En));
        Assert.Equal("令和元年5月1日（2019-05-01）", ResidentFormat.Date(new DateOnly(2019, 5, 1), Language.Ja));
        Assert.Equal("1 May 2019", ResidentFormat.Date(new DateOnly(2019, 5, 1), Language.En));
    }

    [Fact]
    public void Fees_are_in_yen_after_the_number_in_japanese_and_before_it_in_english()
    {
        Assert.Equal("1,300円", ResidentFormat.Yen(1300, Language.Ja));
        Assert.Equal("¥1,300", ResidentFormat.Yen(1300, Language.En));
    }

    [Fact]
    public void A_fee_per_unit_names_the_unit_in_japanese_and_multiplies_in_whole_yen()
    {
        Assert.Equal("1通につき300円", ResidentFormat.YenEach(300, "通", Language.Ja));
        Assert.Equal("1件につき300円", ResidentFormat.YenEach(300, null, Language.Ja));
        Assert.Equal("¥300 each", ResidentFormat.YenEach(300, "通", Language.En));
        Assert.Equal("1つ 300円", ResidentFormat.YenEach(300, "通", Language.Easy));
        Assert.Equal("300円 × 12通 = 3,600円", ResidentFormat.YenTimes(300, 12, "通", Language.Ja));
        Assert.Equal("¥1,300 × 1,000 = ¥1,300,000", ResidentFormat.YenTimes(1300, 1000, "通", Language.En));
        Assert.Equal("300円 × 2 = 600円", ResidentFormat.YenTimes(300, 2, "通", Language.Easy));
    }

    [Theory]
    [InlineData("東京都江東区東陽4-11-28", true)]
    [InlineData("スミス", true)]
    [InlineData("ｽﾐｽ", true)]
    [InlineData("Anna Smith", false)]
    [InlineData("＠１２３", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Japanese_script_is_kana_or_kanji_not_full_width_latin(string? text, bool japanese)
        => Assert.Equal(japanese, JapaneseScript.In(text));
}
