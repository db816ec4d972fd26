using System.Globalization;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>Codes made of digits, as people type them: full-width digits, spaces and hyphens are fine.</summary>
internal static class DigitCode
{
    /// <summary>
    /// Reads a code of exactly <paramref name="length"/> digits (or 1 to <paramref name="length"/>
    /// when <paramref name="upTo"/>). The error names a stray character or says how many digits came.
    /// </summary>
    public static Validated<string> Read(string? input, int length, string what, string whatEn, string whatEasy, bool upTo = false, string? part = null)
    {
        var digits = CheckDigits.NormalizeDigits(TextNormalizer.Squeeze(input)) ?? "";
        if (digits.Length == 0) return Validated<string>.Fail(FieldText.Required(part));
        foreach (var element in FieldText.Elements(digits))
        {
            if (element.Length == 1 && element[0] is >= '0' and <= '9') continue;
            var d = FieldText.Describe(element);
            return Validated<string>.Fail(FieldText.Error("not_digits",
                $"{what}は数字で入力してください。{d} は使えません。",
                $"Enter the {whatEn} in digits; {d} cannot be used.",
                $"{whatEasy}は <ruby>数字<rt>すうじ</rt></ruby>で <ruby>書<rt>か</rt></ruby>いてください。{FieldText.Html(d)} は <ruby>使<rt>つか</rt></ruby>えません。", part));
        }
        if (digits.Length == length || (upTo && digits.Length < length)) return Validated<string>.Ok(digits);
        var n = digits.Length.ToString(CultureInfo.InvariantCulture);
        var want = length.ToString(CultureInfo.InvariantCulture);
        return Validated<string>.Fail(upTo
            ? FieldText.Error("too_long", $"{what}は{want}桁以内です（{n}桁入力されています）。",
                $"The {whatEn} has at most {want} digits (you entered {n}).",
                $"{whatEasy}は {want}けた までです。いまは {n}けた です。", part)
            : FieldText.Error("wrong_length", $"{what}は{want}桁の数字です（{n}桁入力されています）。数字が抜けたり多すぎたりしていないか確かめてください。",
                $"The {whatEn} has {want} digits (you entered {n}). Check for a missing or extra digit.",
                $"{whatEasy}は {want}けたの <ruby>数字<rt>すうじ</rt></ruby>です。いまは {n}けた です。<ruby>確<rt>たし</rt></ruby>かめてください。", part));
    }
}

/// <summary>郵便番号: 7 digits, with or without the hyphen, full-width or 〒-prefixed; normalised to "123-4567".</summary>
public static class PostcodeField
{
    public static Validated<string> Validate(string? input)
    {
        var text = TextNormalizer.Compact(input);
        if (text.StartsWith('〒')) text = text[1..];
        var code = DigitCode.Read(text, 7, "郵便番号", "postcode", "<ruby>郵便番号<rt>ゆうびんばんごう</rt></ruby>");
        return code.IsValid ? Validated<string>.Ok(Format(code.Value)) : code;
    }

    /// <summary>The 7 digits of a valid postcode ("123-4567" → "1234567"), or null.</summary>
    public static string? Digits(string? input) => Validate(input) is { IsValid: true } v ? v.Value.Remove(3, 1) : null;

    private static string Format(string digits) => digits[..3] + "-" + digits[3..];
}

/// <summary>個人番号 (マイナンバー): 12 digits with a check digit; spaces, hyphens, full-width accepted.</summary>
public static class MyNumberField
{
    /// <summary>The value is the 12 ASCII digits. Show it with <see cref="Mask"/>, never in full.</summary>
    public static Validated<string> Validate(string? input)
    {
        var digits = DigitCode.Read(input, MyNumber.Length, "個人番号", "Individual Number (My Number)", "マイナンバー");
        if (!digits.IsValid) return digits;
        if (MyNumber.IsValid(digits.Value)) return digits;
        return Validated<string>.Fail(FieldText.Error("check_digit",
            "個人番号が正しくありません（最後の桁が合いません）。通知カードかマイナンバーカードの番号をもう一度確かめてください。",
            "This Individual Number is not valid (its last digit does not match). Check the number on your card again.",
            "マイナンバーが <ruby>正<rt>ただ</rt></ruby>しくありません。カードの <ruby>番号<rt>ばんごう</rt></ruby>を もう<ruby>一度<rt>いちど</rt></ruby> <ruby>見<rt>み</rt></ruby>てください。"));
    }

    /// <summary>"********9012": only the last four digits show, so a screen or a log never holds the number.</summary>
    public static string Mask(string? number)
    {
        var digits = CheckDigits.NormalizeDigits(number) ?? "";
        var last = digits.Length >= 4 && digits[^4..].All(char.IsAsciiDigit) ? digits[^4..] : "****";
        return new string('*', MyNumber.Length - 4) + last;
    }
}

/// <summary>法人番号: 13 digits, the first a check digit; spaces, hyphens, full-width accepted.</summary>
public static class CorporateNumberField
{
    public static Validated<string> Validate(string? input)
    {
        var digits = DigitCode.Read(input, CorporateNumber.Length, "法人番号", "corporate number", "<ruby>法人番号<rt>ほうじんばんごう</rt></ruby>");
        if (!digits.IsValid) return digits;
        if (CorporateNumber.IsValid(digits.Value)) return digits;
        return Validated<string>.Fail(FieldText.Error("check_digit",
            "法人番号が正しくありません（先頭の検査用数字が合いません）。国税庁の法人番号公表サイトなどで番号を確かめてください。",
            "This corporate number is not valid (its first, check digit does not match). Check the number, e.g. on the National Tax Agency's site.",
            "<ruby>法人番号<rt>ほうじんばんごう</rt></ruby>が <ruby>正<rt>ただ</rt></ruby>しくありません。<ruby>番号<rt>ばんごう</rt></ruby>を <ruby>確<rt>たし</rt></ruby>かめてください。"));
    }
}

/// <summary>
/// 数値: integers or decimals as people type them — full-width digits, thousands commas (１，２３４),
/// a leading + or − (the minus sign, full-width hyphen too). Commas must group by three.
/// </summary>
public static class NumberField
{
    public static Validated<decimal> Integer(string? input, decimal? min = null, decimal? max = null)
        => Read(input, 0, min, max);

    /// <param name="maxDecimals">Digits allowed after the decimal point.</param>
    public static Validated<decimal> Decimal(string? input, int maxDecimals = 2, decimal? min = null, decimal? max = null)
        => Read(input, Math.Max(0, maxDecimals), min, max);

    private static Validated<decimal> Read(string? input, int maxDecimals, decimal? min, decimal? max)
    {
        var s = TextNormalizer.Compact(input).Replace('−', '-').Replace('ー', '-').Replace('‐', '-').Replace('、', ',');
        if (s.Length == 0) return Validated<decimal>.Fail(FieldText.Required());
        if (!Parse(s, maxDecimals, out var value, out var decimalsProblem))
        {
            if (decimalsProblem)
            {
                return maxDecimals == 0
                    ? Fail("not_integer", "整数で入力してください（小数点は使えません）。", "Enter a whole number (no decimal point).", "<ruby>小数<rt>しょうすう</rt></ruby>では なく、<ruby>整数<rt>せいすう</rt></ruby>で <ruby>書<rt>か</rt></ruby>いてください。")
                    : Fail("too_many_decimals", $"小数点以下は{maxDecimals}桁までです。", $"Use at most {maxDecimals} digits after the decimal point.", $"<ruby>小数点<rt>しょうすうてん</rt></ruby>の あとは {maxDecimals}けた までです。");
            }
            return Fail("not_a_number",
                "数字で入力してください（例: 1234、1,234、12.5）。",
                "Enter a number, e.g. 1234, 1,234 or 12.5.",
                "<ruby>数字<rt>すうじ</rt></ruby>で <ruby>書<rt>か</rt></ruby>いてください。<ruby>例<rt>れい</rt></ruby>: 1234");
        }
        if (min is { } lo && value < lo || max is { } hi && value > hi)
        {
            var range = (min, max) switch
            {
                ({ } a, { } b) => ($"{Text(a)}から{Text(b)}まで", $"from {Text(a)} to {Text(b)}"),
                ({ } a, null) => ($"{Text(a)}以上", $"at least {Text(a)}"),
                (null, { } b) => ($"{Text(b)}以下", $"at most {Text(b)}"),
                _ => ("", ""),
            };
            return Fail("out_of_range", $"{range.Item1}の数を入力してください。", $"Enter a number {range.Item2}.", $"{range.Item1}の <ruby>数<rt>かず</rt></ruby>を <ruby>書<rt>か</rt></ruby>いてください。");
        }
        return Validated<decimal>.Ok(value);
    }

    private static bool Parse(string s, int maxDecimals, out decimal value, out bool decimalsProblem)
    {
        value = 0;
        decimalsProblem = false;
        var sign = s[0] is '+' or '-' ? s[0] : '\0';
        var body = sign == '\0' ? s : s[1..];
        var point = body.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? body : body[..point];
        var fraction = point < 0 ? "" : body[(point + 1)..];
        if (whole.Length == 0 || !whole.All(c => char.IsAsciiDigit(c) || c == ',') || !fraction.All(char.IsAsciiDigit)) return false;
        if (point >= 0 && fraction.Length == 0) return false;
        if (whole.Contains(',', StringComparison.Ordinal))
        {
            // Thousands separators only where they belong: 1,234,567 yes, 1,23 or ,123 no.
            var groups = whole.Split(',');
            if (groups[0].Length is < 1 or > 3 || groups.Skip(1).Any(g => g.Length != 3)) return false;
            whole = string.Concat(groups);
        }
        if (whole.Length + fraction.Length > 28) return false;
        if (fraction.TrimEnd('0').Length > maxDecimals)
        {
            decimalsProblem = true;
            return false;
        }
        var text = (sign == '-' ? "-" : "") + whole + (fraction.Length > 0 ? "." + fraction : "");
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    private static string Text(decimal d) => d.ToString("#,0.##########", CultureInfo.InvariantCulture);

    private static Validated<decimal> Fail(string code, string ja, string en, string easy) => Validated<decimal>.Fail(FieldText.Error(code, ja, en, easy));
}
