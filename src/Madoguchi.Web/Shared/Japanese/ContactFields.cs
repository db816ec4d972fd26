using System.Globalization;
using PhoneNumbers;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>A valid phone number: <see cref="National"/> "03-1234-5678" (international format for a foreign number) and E.164.</summary>
public sealed record PhoneNumberValue(string National, string E164)
{
    public override string ToString() => National;
}

/// <summary>
/// 電話番号, read with libphonenumber for region JP: 03-1234-5678, 0312345678, 090-1234-5678,
/// +81 3-1234-5678, full-width digits and hyphens, (03)1234-5678. Japanese numbers are normalised to
/// the national format with hyphens; a valid number of another country keeps its international
/// format (+1 201-555-0123) so that it can still be dialled.
/// </summary>
public static class PhoneField
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static Validated<PhoneNumberValue> Validate(string? input)
    {
        // NFKC makes full-width digits, ＋ and （） ASCII; libphonenumber reads the rest.
        var text = TextNormalizer.Normalize(input).Replace('ー', '-').Replace('−', '-');
        if (text.Length == 0) return Validated<PhoneNumberValue>.Fail(FieldText.Required());
        if (text.Length > 40 || text.Any(c => char.IsLetter(c) || char.IsSurrogate(c) || char.IsControl(c)))
        {
            return NotANumber();
        }
        PhoneNumber number;
        try
        {
            number = Util.Parse(text, "JP");
        }
        catch (NumberParseException)
        {
            return NotANumber();
        }
        var possible = Util.IsPossibleNumberWithReason(number);
        var significant = Util.GetNationalSignificantNumber(number).Length;
        if (possible == PhoneNumberUtil.ValidationResult.TOO_SHORT || possible == PhoneNumberUtil.ValidationResult.INVALID_LENGTH && significant < 9) return TooShort();
        if (possible is PhoneNumberUtil.ValidationResult.TOO_LONG or PhoneNumberUtil.ValidationResult.INVALID_LENGTH) return TooLong();
        // JP metadata allows long lengths for a few special services, so lengths are judged here too:
        // a Japanese number has 9 or 10 digits after the leading 0 (03-1234-5678, 090-1234-5678).
        // Asked once: it matches the number against every pattern of its region, the dearest step here.
        var valid = Util.IsValidNumber(number);
        if (!valid && number.CountryCode == 81 && significant is < 9 or > 10)
        {
            return significant < 9 ? TooShort() : TooLong();
        }
        if (!valid)
        {
            return Fail("invalid_phone",
                "この電話番号は使われていない番号の形です。番号を確かめてください。",
                "This is not a valid phone number. Check it.",
                "この <ruby>電話番号<rt>でんわばんごう</rt></ruby>は ありません。<ruby>確<rt>たし</rt></ruby>かめてください。");
        }
        var japanese = Util.GetRegionCodeForNumber(number) == "JP";
        var display = Util.Format(number, japanese ? PhoneNumberFormat.NATIONAL : PhoneNumberFormat.INTERNATIONAL);
        return Validated<PhoneNumberValue>.Ok(new PhoneNumberValue(display, Util.Format(number, PhoneNumberFormat.E164)));
    }

    private static Validated<PhoneNumberValue> TooShort() => Fail("too_short",
        "電話番号の桁が足りません。市外局番から入力してください（例: 03-1234-5678、090-1234-5678）。",
        "The phone number is too short. Include the area code, e.g. 03-1234-5678 or 090-1234-5678.",
        "<ruby>電話番号<rt>でんわばんごう</rt></ruby>が <ruby>短<rt>みじか</rt></ruby>いです。0から <ruby>書<rt>か</rt></ruby>いてください。<ruby>例<rt>れい</rt></ruby>: 090-1234-5678");

    private static Validated<PhoneNumberValue> TooLong() => Fail("too_long",
        "電話番号の桁が多すぎます。番号を確かめてください（例: 03-1234-5678、090-1234-5678）。",
        "The phone number is too long. Check it, e.g. 03-1234-5678 or 090-1234-5678.",
        "<ruby>電話番号<rt>でんわばんごう</rt></ruby>が <ruby>長<rt>なが</rt></ruby>すぎます。<ruby>確<rt>たし</rt></ruby>かめてください。");

    private static Validated<PhoneNumberValue> NotANumber() => Fail("not_a_phone_number",
        "電話番号は数字とハイフンで入力してください（例: 03-1234-5678、090-1234-5678、+81 3-1234-5678）。",
        "Enter the phone number in digits and hyphens, e.g. 03-1234-5678, 090-1234-5678 or +81 3-1234-5678.",
        "<ruby>電話番号<rt>でんわばんごう</rt></ruby>は <ruby>数字<rt>すうじ</rt></ruby>で <ruby>書<rt>か</rt></ruby>いてください。<ruby>例<rt>れい</rt></ruby>: 090-1234-5678");

    private static Validated<PhoneNumberValue> Fail(string code, string ja, string en, string easy)
        => Validated<PhoneNumberValue>.Fail(FieldText.Error(code, ja, en, easy));
}

/// <summary>
/// メールアドレス: a practical syntax check, not full RFC 5322 — an ASCII dot-atom local part (no
/// quoted strings: mail systems and people get them wrong) and a domain that may be internationalised
/// (例え.jp). Full-width characters are narrowed (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ), the domain lower-cased.
/// </summary>
public static class EmailField
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };
    private const string AText = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>The value keeps the domain in Unicode as typed (lower case); <see cref="ToAscii"/> gives the punycode form for sending.</summary>
    public static Validated<string> Validate(string? input)
    {
        // Normalize, not Compact: a space inside an address is a mistake to show, not to hide.
        var text = TextNormalizer.Normalize(input);
        if (text.Length == 0) return Validated<string>.Fail(FieldText.Required());
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1 || text.Length > 254)
        {
            return Fail("invalid_email", "メールアドレスの形になっていません。「@」の前後を確かめてください（例: taro@example.jp）。",
                "This is not an e-mail address. Check the parts before and after @, e.g. taro@example.jp.",
                "メールアドレスが <ruby>正<rt>ただ</rt></ruby>しくありません。<ruby>例<rt>れい</rt></ruby>: taro@example.jp");
        }
        var local = text[..at];
        var domain = text[(at + 1)..].TrimEnd('.');
        if (!IsDotAtom(local))
        {
            var bad = local.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || AText.Contains(c, StringComparison.Ordinal) || c == '.'));
            var which = bad == default ? "" : FieldText.Describe(bad.ToString());
            return Fail("invalid_email_local", $"「@」より前に使えない文字や「.」の誤りがあります{(which.Length > 0 ? "（" + which + "）" : "")}。半角英数字で入力してください。",
                $"The part before @ has a character that cannot be used{(which.Length > 0 ? " (" + which + ")" : "")} or a misplaced dot.",
                $"「@」の <ruby>前<rt>まえ</rt></ruby>に <ruby>使<rt>つか</rt></ruby>えない <ruby>文字<rt>もじ</rt></ruby>が あります{FieldText.Html(which)}。");
        }
        if (ToAsciiDomain(domain) is not { } ascii)
        {
            return Fail("invalid_email_domain", "「@」より後のドメインが正しくありません（例: example.jp）。",
                "The domain after @ is not valid, e.g. example.jp.",
                "「@」の <ruby>後<rt>あと</rt></ruby>が <ruby>正<rt>ただ</rt></ruby>しくありません。<ruby>例<rt>れい</rt></ruby>: example.jp");
        }
        string unicode;
        try
        {
            unicode = Idn.GetUnicode(ascii);
        }
        catch (ArgumentException)
        {
            unicode = ascii;
        }
        return Validated<string>.Ok(local + "@" + unicode);
    }

    /// <summary>taro@例え.jp → taro@xn--r8jz45g.jp; null when the address is not valid.</summary>
    public static string? ToAscii(string? address)
    {
        var v = Validate(address);
        if (!v.IsValid) return null;
        var at = v.Value.LastIndexOf('@');
        return v.Value[..at] + "@" + ToAsciiDomain(v.Value[(at + 1)..]);
    }

    private static bool IsDotAtom(string local)
    {
        if (local.Length is 0 or > 64 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal)) return false;
        return local.All(c => char.IsAsciiLetterOrDigit(c) || c == '.' || AText.Contains(c, StringComparison.Ordinal));
    }

    private static string? ToAsciiDomain(string domain)
    {
        if (domain.Length == 0 || domain.Any(c => char.IsSurrogate(c) || char.IsControl(c) || char.IsWhiteSpace(c))) return null;
        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        var labels = ascii.Split('.');
        // A host name with a dot and a top-level domain that is not all digits (not an IP address).
        if (ascii.Length > 253 || labels.Length < 2 || labels[^1].All(char.IsAsciiDigit)) return null;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return null;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return null;
        }
        return ascii;
    }

    private static Validated<string> Fail(string code, string ja, string en, string easy) => Validated<string>.Fail(FieldText.Error(code, ja, en, easy));
}
