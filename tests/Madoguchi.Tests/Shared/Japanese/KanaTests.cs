using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Tests.Shared.Japanese;

public sealed class KanaTests
{
    [Theory]
    [InlineData("きょうこ", "キョウコ")]
    [InlineData("ｷｮｳｺ", "キョウコ")]
    [InlineData("ｶﾞｯｺｳ", "ガッコウ")]
    [InlineData("ﾊﾟﾝ", "パン")]
    [InlineData("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン")]
    [InlineData("ゔぁいおりん", "ヴァイオリン")]
    [InlineData("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ")]
    [InlineData("すずき　いちろー", "スズキ　イチロー")]
    [InlineData("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス")]
    [InlineData("いすゞ", "イスヾ")]
    [InlineData("カ\u3099ッコウ", "ガッコウ")] // a combining voiced mark joins its kana
    [InlineData("ヤマダ", "ヤマダ")]
    [InlineData("山田 Taro", "山田 Taro")]
    [InlineData("葛\U000E0100飾", "葛\U000E0100飾")] // an IVS character is kept exactly
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Hiragana_and_half_width_kana_become_full_width_katakana(string? input, string expected)
        => Assert.Equal(expected, Kana.ToKatakana(input));

    [Fact]
    public void Small_kana_stay_small()
    {
        Assert.Equal("キョウコ", Kana.ToKatakana("きょうこ"));
        Assert.NotEqual("キヨウコ", Kana.ToKatakana("きょうこ"));
        Assert.Equal("キヨウコ", Kana.ToKatakana("きようこ"));
        Assert.Equal("ヵヶ", Kana.ToKatakana("ゕゖ"));
    }

    [Theory]
    [InlineData("  やまだ   たろう ", "ヤマダ　タロウ")]
    [InlineData("ﾔﾏﾀﾞ\tﾀﾛｳ", "ヤマダ　タロウ")]
    [InlineData("　ヤマダ　 　タロウ　", "ヤマダ　タロウ")]
    [InlineData("   ", "")]
    public void Furigana_input_gets_one_full_width_space_between_names(string input, string expected)
        => Assert.Equal(expected, Kana.NormalizeFurigana(input));

    [Theory]
    [InlineData("ヤマダ　タロウ", true)]
    [InlineData("ヤマダ タロウ", true)]
    [InlineData("ジョン・スミス", true)]
    [InlineData("ヴィー", true)]
    [InlineData("キョウコ", true)]
    [InlineData("やまだ", false)]
    [InlineData("ﾔﾏﾀﾞ", false)]
    [InlineData("山田", false)]
    [InlineData("ヤマダ1", false)]
    [InlineData("ー", false)]
    [InlineData("　", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsFurigana_accepts_katakana_marks_and_spaces_only(string? text, bool expected)
        => Assert.Equal(expected, Kana.IsFurigana(text));

    [Fact]
    public void Kana_functions_never_throw_and_conversion_is_idempotent()
    {
        foreach (var arb in new[] { Generators.Any, Generators.Nasty })
        {
            Prop.ForAll(arb, s =>
            {
                var once = Kana.ToKatakana(s);
                var normalized = Kana.NormalizeFurigana(s);
                _ = Kana.IsFurigana(s);
                return Kana.ToKatakana(once) == once
                       && Kana.NormalizeFurigana(normalized) == normalized
                       && Kana.IsFurigana(normalized) == Kana.IsFurigana(Kana.NormalizeFurigana(normalized));
            }).Check(Generators.Thorough);
        }
    }

    [Fact]
    public void Any_hiragana_name_becomes_valid_furigana_of_the_same_length()
    {
        var hiragana = Gen.Choose(0x3041, 0x3096).Select(i => (char)i).NonEmptyListOf().Select(cs => new string([.. cs]));
        Prop.ForAll(hiragana.ToArbitrary(), s =>
        {
            var k = Kana.NormalizeFurigana(s);
            return Kana.IsFurigana(k) && k.Length == s.Length;
        }).QuickCheckThrowOnFailure();
    }
}
