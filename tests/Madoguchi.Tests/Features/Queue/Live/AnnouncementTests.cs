using Madoguchi.Web.Features.Queue.Live;

namespace Madoguchi.Tests.Features.Queue.Live;

/// <summary>The lobby call is spoken with numbers read as numbers, in Japanese and English.</summary>
public sealed class AnnouncementTests
{
    [Theory]
    [InlineData(0, "ぜろ")]
    [InlineData(1, "いち")]
    [InlineData(4, "よん")]
    [InlineData(7, "なな")]
    [InlineData(9, "きゅう")]
    [InlineData(10, "じゅう")]
    [InlineData(11, "じゅういち")]
    [InlineData(19, "じゅうきゅう")]
    [InlineData(20, "にじゅう")]
    [InlineData(44, "よんじゅうよん")]
    [InlineData(99, "きゅうじゅうきゅう")]
    [InlineData(100, "ひゃく")]
    [InlineData(101, "ひゃくいち")]
    [InlineData(110, "ひゃくじゅう")]
    [InlineData(200, "にひゃく")]
    [InlineData(300, "さんびゃく")]
    [InlineData(333, "さんびゃくさんじゅうさん")]
    [InlineData(400, "よんひゃく")]
    [InlineData(600, "ろっぴゃく")]
    [InlineData(666, "ろっぴゃくろくじゅうろく")]
    [InlineData(800, "はっぴゃく")]
    [InlineData(888, "はっぴゃくはちじゅうはち")]
    [InlineData(900, "きゅうひゃく")]
    [InlineData(1000, "せん")]
    [InlineData(1001, "せんいち")]
    [InlineData(1100, "せんひゃく")]
    [InlineData(2000, "にせん")]
    [InlineData(2013, "にせんじゅうさん")]
    [InlineData(2299, "にせんにひゃくきゅうじゅうきゅう")]
    [InlineData(3000, "さんぜん")]
    [InlineData(3600, "さんぜんろっぴゃく")]
    [InlineData(4000, "よんせん")]
    [InlineData(6000, "ろくせん")]
    [InlineData(7300, "ななせんさんびゃく")]
    [InlineData(8000, "はっせん")]
    [InlineData(8800, "はっせんはっぴゃく")]
    [InlineData(9999, "きゅうせんきゅうひゃくきゅうじゅうきゅう")]
    [InlineData(10000, "いちまん")]
    [InlineData(12345, "いちまんにせんさんびゃくよんじゅうご")]
    [InlineData(3000000, "さんびゃくまん")]
    [InlineData(10000000, "いっせんまん")]
    public void Japanese_numbers_are_read_as_numbers_with_their_sound_changes(int number, string reading)
        => Assert.Equal(reading, Announcement.JapaneseReading(number));

    [Theory]
    [InlineData(0, "zero")]
    [InlineData(7, "seven")]
    [InlineData(13, "thirteen")]
    [InlineData(21, "twenty-one")]
    [InlineData(100, "one hundred")]
    [InlineData(105, "one hundred five")]
    [InlineData(999, "nine hundred ninety-nine")]
    [InlineData(1000, "one thousand")]
    [InlineData(2013, "two thousand thirteen")]
    [InlineData(2300, "two thousand three hundred")]
    [InlineData(9999, "nine thousand nine hundred ninety-nine")]
    [InlineData(12345, "twelve thousand three hundred forty-five")]
    public void English_numbers_are_words_so_2013_is_not_read_as_a_year(int number, string words)
        => Assert.Equal(words, Announcement.EnglishWords(number));

    [Fact]
    public void The_call_for_2013_at_counter_3()
    {
        var a = Announcement.For(2013, "3");

        Assert.Equal("2013番の方、3番窓口へどうぞ", a.Text);
        Assert.Equal("にせんじゅうさんばんのかた、さんばんまどぐちへどうぞ", a.Reading);
        Assert.Equal("Number two thousand thirteen, please go to counter 3.", a.English);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("３")]
    [InlineData("3番")]
    [InlineData("3番窓口")]
    [InlineData(" ３番窓口 ")]
    public void A_counter_written_in_any_of_the_usual_ways_is_read_as_its_number(string counter)
        => Assert.Equal("はっぴゃくばんのかた、さんばんまどぐちへどうぞ", Announcement.For(800, counter).Reading);

    [Fact]
    public void A_named_counter_is_spoken_by_its_name()
    {
        var a = Announcement.For(3600, "証明発行窓口");

        Assert.Equal("3600番の方、証明発行窓口へどうぞ", a.Text);
        Assert.Equal("さんぜんろっぴゃくばんのかた、証明発行窓口へどうぞ", a.Reading);
        Assert.Equal("Number three thousand six hundred, please go to 証明発行窓口.", a.English);
    }

    [Fact]
    public void Every_number_up_to_9999_reads_in_hiragana_only_and_never_digit_by_digit()
    {
        var seen = new HashSet<string>();
        for (var n = 0; n <= 9999; n++)
        {
            var r = Announcement.JapaneseReading(n);
            Assert.True(r.All(c => c is >= 'ぁ' and <= 'ゖ'), $"{n}: {r}");
            Assert.True(seen.Add(r), $"{n} reads like another number: {r}");
            var words = Announcement.EnglishWords(n);
            Assert.DoesNotContain(words, char.IsDigit);
        }
    }
}
