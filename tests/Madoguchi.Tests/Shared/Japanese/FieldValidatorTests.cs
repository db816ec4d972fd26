using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Tests.Shared.Japanese;

/// <summary>Known good and bad values for each field validator a form uses.</summary>
public sealed class FieldValidatorTests
{
    private static void AssertRefused<T>(Validated<T> result, string code)
    {
        Assert.False(result.IsValid, $"expected {code}, got {result}");
        Assert.Equal(code, result.Error.Code);
        Assert.NotEmpty(result.Error.Message.Ja);
        Assert.NotEmpty(result.Error!.Message.En);
        Assert.NotEmpty(result.Error!.Message.EasyHtml);
    }

    // ---- フリガナ and 氏名

    [Theory]
    [InlineData("ヤマダ", "ヤマダ")]
    [InlineData("やまだ", "ヤマダ")]
    [InlineData("ﾔﾏﾀﾞ", "ヤマダ")]
    [InlineData("きょうこ", "キョウコ")]
    [InlineData("ｷｮｳｺ", "キョウコ")]
    [InlineData("ァィゥェォッャュョヮ", "ァィゥェォッャュョヮ")]
    [InlineData("じゅりー", "ジュリー")]
    [InlineData("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス")]
    [InlineData(" やまだ  たろう ", "ヤマダ　タロウ")]
    [InlineData("ヴァイオリン", "ヴァイオリン")]
    public void Furigana_is_katakana_with_small_kana_kept(string input, string expected)
    {
        var result = FuriganaField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [InlineData("山田", "「山」")]
    [InlineData("ヤマダ1", "「1」")]
    [InlineData("ヤマダＡ", "「Ａ」")]
    [InlineData("ジュリ-", "「-」")]
    [InlineData("ヤマ\u0007ダ", "U+0007")]
    [InlineData("ヤマ\U000E0100ダ", "U+E0100")]
    [InlineData("ヤ𠮷", "「𠮷」")]
    public void Furigana_refuses_other_characters_and_names_them(string input, string named)
    {
        var result = FuriganaField.Validate(input);
        AssertRefused(result, "not_katakana");
        Assert.Contains(named, result.Error!.Message.Ja, StringComparison.Ordinal);
        Assert.Contains(named, result.Error!.Message.En, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("　 ")]
    [InlineData(null)]
    public void Blank_fields_are_required(string? input)
    {
        Assert.True(FieldInput.IsBlank(input));
        AssertRefused(FuriganaField.Validate(input), "required");
        AssertRefused(NameField.Validate(input), "required");
        AssertRefused(DateField.Validate(input), "required");
        AssertRefused(PostcodeField.Validate(input), "required");
        AssertRefused(PhoneField.Validate(input), "required");
        AssertRefused(EmailField.Validate(input), "required");
        AssertRefused(NumberField.Integer(input), "required");
        AssertRefused(MyNumberField.Validate(input), "required");
    }

    [Theory]
    [InlineData("山田", "山田")]
    [InlineData(" 髙橋 ", "髙橋")]
    [InlineData("﨑山", "﨑山")] // a compatibility ideograph is not folded into 崎
    [InlineData("葛\U000E0100西", "葛\U000E0100西")]
    [InlineData("𠮷野", "𠮷野")]
    [InlineData("\uE000田", "\uE000田")] // 外字 in the private use area
    [InlineData("Smith", "Smith")]
    [InlineData("佐々木", "佐々木")]
    public void Names_are_kept_as_written(string input, string expected)
    {
        var result = NameField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [InlineData("山田1", "invalid_name_character")]
    [InlineData("山田<b>", "invalid_name_character")]
    [InlineData("山\u0000田", "invalid_character")]
    [InlineData("山\u202E田", "invalid_character")]
    public void Names_refuse_digits_symbols_and_control_characters(string input, string code)
        => AssertRefused(NameField.Validate(input), code);

    // ---- 日付

    [Theory]
    [InlineData("2025-04-01", 2025, 4, 1)]
    [InlineData("2025/4/1", 2025, 4, 1)]
    [InlineData("R7.4.1", 2025, 4, 1)]
    [InlineData("令和7年4月1日", 2025, 4, 1)]
    [InlineData("令和元年5月1日", 2019, 5, 1)]
    [InlineData("H31.4.30", 2019, 4, 30)]
    [InlineData("平成31年4月30日", 2019, 4, 30)]
    [InlineData("令和７年４月１日", 2025, 4, 1)]
    [InlineData("２０２４－０２－２９", 2024, 2, 29)]
    [InlineData("昭和64年1月7日", 1989, 1, 7)]
    [InlineData("平成元年1月8日", 1989, 1, 8)]
    public void Dates_are_read_and_shown_in_wareki_and_western(string input, int y, int m, int d)
    {
        var result = DateField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(new DateOnly(y, m, d), result.Value.Date);
        Assert.Equal(Wareki.Format(new DateOnly(y, m, d)), result.Value.Wareki);
        Assert.Equal($"{y:D4}-{m:D2}-{d:D2}", result.Value.Iso);
    }

    [Fact]
    public void A_date_shows_both_calendars()
    {
        var date = DateField.Validate("R1.5.1").Value!;
        Assert.Equal("令和元年5月1日", date.Wareki);
        Assert.Equal("2019-05-01", date.Iso);
        Assert.Equal("2019年5月1日（令和元年5月1日）", date.Display);
    }

    [Theory]
    [InlineData("平成31年5月1日", "date_not_in_era", "令和元年5月1日")]
    [InlineData("令和1年4月30日", "date_not_in_era", "平成31年4月30日")]
    [InlineData("令和元年4月30日", "date_not_in_era", "平成31年4月30日")]
    [InlineData("2025-02-29", "invalid_day", "28日")]
    [InlineData("令和7年2月30日", "invalid_day", "28日")]
    [InlineData("2025-04-31", "invalid_day", "30日")]
    [InlineData("2025-13-01", "invalid_month", "12")]
    [InlineData("令和7年13月1日", "invalid_month", "12")]
    [InlineData("令和0年4月1日", "invalid_era_year", "令和7年4月1日")]
    [InlineData("きのう", "invalid_date", "2025-04-01")]
    [InlineData("2025-04-01T00:00", "invalid_date", "2025-04-01")]
    public void Impossible_dates_are_refused_saying_how_to_fix_them(string input, string code, string hint)
    {
        var result = DateField.Validate(input);
        AssertRefused(result, code);
        Assert.Contains(hint, result.Error!.Message.Ja, StringComparison.Ordinal);
    }

    // ---- 郵便番号

    [Theory]
    [InlineData("1350016", "135-0016")]
    [InlineData("135-0016", "135-0016")]
    [InlineData("１３５－００１６", "135-0016")]
    [InlineData("〒135-0016", "135-0016")]
    [InlineData(" 135 0016 ", "135-0016")]
    [InlineData("135ー0016", "135-0016")]
    public void Postcodes_are_normalised_with_a_hyphen(string input, string expected)
    {
        var result = PostcodeField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
        Assert.Equal(expected.Replace("-", "", StringComparison.Ordinal), PostcodeField.Digits(input));
    }

    [Theory]
    [InlineData("135-001", "wrong_length")]
    [InlineData("13500160", "wrong_length")]
    [InlineData("135-OO16", "not_digits")]
    [InlineData("東京都", "not_digits")]
    public void Malformed_postcodes_are_refused(string input, string code) => AssertRefused(PostcodeField.Validate(input), code);

    // ---- 住所 and free text

    [Theory]
    [InlineData("東京都江東区東陽4-11-28", "東京都江東区東陽4-11-28")]
    [InlineData("東京都葛\U000E0101飾区", "東京都葛\U000E0101飾区")]
    [InlineData("𠮷野町１－２", "𠮷野町１－２")] // full-width digits stay as typed
    [InlineData("\uE000\uE001町", "\uE000\uE001町")]
    [InlineData("\U000F0000外字", "\U000F0000外字")] // supplementary private use (外字 of some systems)
    [InlineData(" 江東区　 東陽 ", "江東区 東陽")]
    [InlineData("\uFA19奈川県", "\uFA19奈川県")] // a compatibility ideograph: NFKC would make it U+795E
    public void Addresses_are_kept_byte_for_byte(string input, string expected)
    {
        var result = AddressField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(result.Value));
    }

    [Theory]
    [InlineData("江東区\u0000東陽", "U+0000")]
    [InlineData("江東区\u001B[31m", "U+001B")]
    [InlineData("江東区\u202E東陽", "U+202E")]
    [InlineData("江東区\uFFFF", "U+FFFF")]
    public void Addresses_refuse_control_characters(string input, string named)
    {
        var result = AddressField.Validate(input);
        AssertRefused(result, "invalid_character");
        Assert.Contains(named, result.Error!.Message.Ja, StringComparison.Ordinal);
    }

    [Fact]
    public void Addresses_refuse_lone_surrogates()
    {
        // Built in code: xunit would turn a lone surrogate in InlineData into U+FFFD.
        var input = "江東区" + new string('\uD800', 1) + "東陽";
        AssertRefused(AddressField.Validate(input), "invalid_character");
        AssertRefused(NameField.Validate("山" + new string('\uDC00', 1)), "invalid_character");
    }

    [Fact]
    public void Length_is_counted_in_characters_people_see()
    {
        Assert.Equal(1, TextField.Length("葛\U000E0100"));
        Assert.Equal(1, TextField.Length("𠮷"));
        Assert.Equal(1, TextField.Length("が")); // か + combining voiced mark
        Assert.Equal(3, TextField.Length("葛\U000E0100飾区"));
        Assert.True(TextField.Validate("葛\U000E0100飾区", maxLength: 3).IsValid);
        AssertRefused(TextField.Validate("葛\U000E0100飾区役", maxLength: 3), "too_long");
        Assert.True(AddressField.Validate(string.Concat(Enumerable.Repeat("𠮷", 200))).IsValid); // 400 UTF-16 units, 200 characters
    }

    [Fact]
    public void Long_text_keeps_its_lines()
    {
        var result = TextField.Validate("  一行目\r\n二行目\r三行目\n\n  ", multiline: true);
        Assert.Equal("一行目\n二行目\n三行目", result.Value);
        Assert.Equal("一行目 二行目", TextField.Validate("一行目\r\n二行目").Value);
        AssertRefused(TextField.Validate("a\u0008b", multiline: true), "invalid_character");
    }

    // ---- 電話番号

    [Theory]
    [InlineData("03-1234-5678", "03-1234-5678", "+81312345678")]
    [InlineData("0312345678", "03-1234-5678", "+81312345678")]
    [InlineData("０３－１２３４－５６７８", "03-1234-5678", "+81312345678")]
    [InlineData("(03)1234-5678", "03-1234-5678", "+81312345678")]
    [InlineData("+81 3-1234-5678", "03-1234-5678", "+81312345678")]
    [InlineData("+81312345678", "03-1234-5678", "+81312345678")]
    [InlineData("090-1234-5678", "090-1234-5678", "+819012345678")]
    [InlineData("０９０１２３４５６７８", "090-1234-5678", "+819012345678")]
    [InlineData("0120-123-456", "0120-123-456", "+81120123456")]
    [InlineData("+1 650-253-0000", "+1 650-253-0000", "+16502530000")]
    public void Phone_numbers_are_normalised_to_national_format(string input, string national, string e164)
    {
        var result = PhoneField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(national, result.Value.National);
        Assert.Equal(e164, result.Value.E164);
    }

    [Theory]
    [InlineData("03-1234", "too_short")]
    [InlineData("090-1234-56789012", "too_long")]
    [InlineData("03-1234-5678-9999", "too_long")]
    [InlineData("090-0234-5678", "invalid_phone")]
    [InlineData("でんわ", "not_a_phone_number")]
    [InlineData("03-1234-ABCD", "not_a_phone_number")]
    public void Bad_phone_numbers_are_refused(string input, string code) => AssertRefused(PhoneField.Validate(input), code);

    // ---- メールアドレス

    [Theory]
    [InlineData("taro@example.jp", "taro@example.jp", "taro@example.jp")]
    [InlineData(" Taro.Yamada+form@Example.JP ", "Taro.Yamada+form@example.jp", "Taro.Yamada+form@example.jp")]
    [InlineData("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp", "taro@example.jp")]
    [InlineData("taro@例え.jp", "taro@例え.jp", "taro@xn--r8jz45g.jp")]
    [InlineData("taro@xn--r8jz45g.jp", "taro@例え.jp", "taro@xn--r8jz45g.jp")]
    public void Email_addresses_are_accepted_with_idn_domains(string input, string expected, string ascii)
    {
        var result = EmailField.Validate(input);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(expected, result.Value);
        Assert.Equal(ascii, EmailField.ToAscii(input));
    }

    [Theory]
    [InlineData("taro", "invalid_email")]
    [InlineData("taro@", "invalid_email")]
    [InlineData("@example.jp", "invalid_email")]
    [InlineData("ta ro@example.jp", "invalid_email_local")]
    [InlineData(".taro@example.jp", "invalid_email_local")]
    [InlineData("taro..yamada@example.jp", "invalid_email_local")]
    [InlineData("たろう@example.jp", "invalid_email_local")]
    [InlineData("taro@example", "invalid_email_domain")]
    [InlineData("taro@-example.jp", "invalid_email_domain")]
    [InlineData("taro@exa_mple.jp", "invalid_email_domain")]
    [InlineData("taro@127.0.0.1", "invalid_email_domain")]
    public void Bad_email_addresses_are_refused(string input, string code) => AssertRefused(EmailField.Validate(input), code);

    // ---- 数値

    [Theory]
    [InlineData("1234", 1234)]
    [InlineData("１２３４", 1234)]
    [InlineData("1,234,567", 1234567)]
    [InlineData("１，２３４", 1234)]
    [InlineData("-5", -5)]
    [InlineData("−５", -5)]
    [InlineData("+7", 7)]
    [InlineData("0", 0)]
    public void Integers_are_read_as_people_type_them(string input, int expected) => Assert.Equal(expected, NumberField.Integer(input).Value);

    [Theory]
    [InlineData("12.5", "12.5")]
    [InlineData("１２．５０", "12.50")]
    [InlineData("1,234.25", "1234.25")]
    public void Decimals_are_read(string input, string expected) => Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), NumberField.Decimal(input).Value);

    [Theory]
    [InlineData("12.5", "not_integer")]
    [InlineData("1,23", "not_a_number")]
    [InlineData(",123", "not_a_number")]
    [InlineData("12a", "not_a_number")]
    [InlineData("1e5", "not_a_number")]
    [InlineData("--1", "not_a_number")]
    [InlineData("99999999999999999999999999999999", "not_a_number")]
    public void Bad_integers_are_refused(string input, string code) => AssertRefused(NumberField.Integer(input), code);

    [Fact]
    public void Numbers_out_of_range_or_with_too_many_decimals_are_refused()
    {
        AssertRefused(NumberField.Decimal("1.234", maxDecimals: 2), "too_many_decimals");
        var range = NumberField.Integer("０", min: 1, max: 10);
        AssertRefused(range, "out_of_range");
        Assert.Contains("1から10まで", range.Error!.Message.Ja, StringComparison.Ordinal);
        Assert.True(NumberField.Integer("10", min: 1, max: 10).IsValid);
    }

    // ---- 個人番号 and 法人番号

    [Theory]
    [InlineData("123456789018")]
    [InlineData("１２３４ ５６７８ ９０１８")]
    [InlineData("1234-5678-9018")]
    public void My_numbers_with_the_right_check_digit_are_accepted(string input)
    {
        var result = MyNumberField.Validate(input);
        Assert.Equal("123456789018", result.Value);
        Assert.Equal("********9018", MyNumberField.Mask(result.Value));
    }

    [Theory]
    [InlineData("123456789019", "check_digit")]
    [InlineData("12345678901", "wrong_length")]
    [InlineData("1234567890180", "wrong_length")]
    [InlineData("12345678901a", "not_digits")]
    public void Bad_my_numbers_are_refused(string input, string code) => AssertRefused(MyNumberField.Validate(input), code);

    [Fact]
    public void A_masked_my_number_never_shows_more_than_the_last_four_digits()
    {
        Assert.Equal("********9018", MyNumberField.Mask("１２３４－５６７８－９０１８"));
        Assert.Equal("************", MyNumberField.Mask("12"));
        Assert.Equal("************", MyNumberField.Mask(null));
    }

    [Theory]
    [InlineData("7000012050002", true, null)] // 国税庁
    [InlineData("１１８０３０１０１８７７１", true, null)] // トヨタ自動車, full-width
    [InlineData("1-1803-0101-8771", true, null)]
    [InlineData("8000012050002", false, "check_digit")]
    [InlineData("700001205000", false, "wrong_length")]
    public void Corporate_numbers_check_their_leading_digit(string input, bool valid, string? code)
    {
        var result = CorporateNumberField.Validate(input);
        if (valid) Assert.Equal(13, result.Value!.Length);
        else AssertRefused(result, code!);
    }

    // ---- 口座

    [Fact]
    public void A_bank_account_is_normalised_for_zengin_data()
    {
        var result = BankAccountField.Validate("０００５", "001", "普通", "12345", "ﾔﾏﾀﾞ ﾀﾛｳ");
        Assert.True(result.IsValid, result.ToString());
        var a = result.Value;
        Assert.Equal(("0005", "001", BankAccountType.Ordinary, "0012345", "ヤマダ　タロウ"), (a.BankCode, a.BranchCode, a.Type, a.Number, a.Holder));
        Assert.Equal("ﾔﾏﾀﾞ ﾀﾛｳ", a.HolderHalfWidth);
        Assert.Equal("普通", a.TypeName);
    }

    [Theory]
    [InlineData("普通", BankAccountType.Ordinary)]
    [InlineData("ふつう", BankAccountType.Ordinary)]
    [InlineData("1", BankAccountType.Ordinary)]
    [InlineData("当座", BankAccountType.Current)]
    [InlineData("当座預金", BankAccountType.Current)]
    [InlineData("２", BankAccountType.Current)]
    [InlineData("貯蓄", BankAccountType.Savings)]
    [InlineData("4", BankAccountType.Savings)]
    public void Account_types_are_read(string input, BankAccountType expected) => Assert.Equal(expected, BankAccountField.AccountType(input).Value);

    [Theory]
    [InlineData("やまだ たろう", "ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ")]
    [InlineData("キョウコ", "キヨウコ", "ｷﾖｳｺ")] // 全銀 has no small kana: banks register them large
    [InlineData("ｶ)ｴｰﾋﾞｰｼｰ", "カ）エービーシー", "ｶ)ｴ-ﾋﾞ-ｼ-")]
    [InlineData("abc shoji", "ＡＢＣ　ＳＨＯＪＩ", "ABC SHOJI")]
    [InlineData("ジョン・スミス", "ジヨン．スミス", "ｼﾞﾖﾝ.ｽﾐｽ")]
    [InlineData("ぱぴぷぺぽ", "パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ")]
    public void Account_holders_are_normalised_to_the_zengin_set(string input, string full, string half)
    {
        var result = BankAccountField.Holder(input);
        Assert.Equal(full, result.Value);
        Assert.Equal(half, BankAccountField.ToHalfWidth(result.Value));
    }

    [Theory]
    [InlineData("山田タロウ", "「山」")]
    [InlineData("ヤマダ＠", "「＠」")]
    [InlineData("ヤマダ\U000E0100", "U+E0100")]
    public void Account_holders_refuse_other_characters_naming_them(string input, string named)
    {
        var result = BankAccountField.Holder(input);
        AssertRefused(result, "invalid_holder_character");
        Assert.Contains(named, result.Error!.Message.Ja, StringComparison.Ordinal);
    }

    [Fact]
    public void Account_holders_are_limited_to_thirty_half_width_characters()
    {
        Assert.True(BankAccountField.Holder(new string('ア', 30)).IsValid);
        Assert.True(BankAccountField.Holder(new string('ガ', 15)).IsValid); // ｶﾞ × 15 = 30
        AssertRefused(BankAccountField.Holder(new string('ガ', 16)), "too_long");
    }

    [Fact]
    public void Every_bad_part_of_a_bank_account_is_reported_with_its_part()
    {
        var result = BankAccountField.Validate("123", "01a", "定期", "12345678", "山田");
        Assert.False(result.IsValid);
        Assert.Equal(
            [("bank", "wrong_length"), ("branch", "not_digits"), ("type", "invalid_account_type"), ("number", "too_long"), ("holder", "invalid_holder_character")],
            result.Errors.Select(e => (e.Part!, e.Code)));
    }

    // ---- messages

    [Fact]
    public void Easy_japanese_messages_carry_ruby_and_encode_what_came_from_the_input()
    {
        var result = FuriganaField.Validate("ヤマダ<");
        var message = result.Error!.Message;
        Assert.Contains("「&lt;」", message.EasyHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("「<」", message.EasyHtml, StringComparison.Ordinal);
        Assert.Contains("<ruby>", DateField.Validate("2025-02-30").Error!.Message.EasyHtml, StringComparison.Ordinal);
        Assert.Equal("その 月は 28日までです。日を 確かめてください。", DateField.Validate("2025-02-30").Error!.Message.Easy);
        Assert.Equal(message.En, message.Text(Language.En));
        Assert.Contains("「<」", message.Text(Language.Easy), StringComparison.Ordinal);
    }
}
