using System.Globalization;
using System.Text;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// Free text (text and long text fields). Characters are kept exactly as typed — no NFKC, which would
/// turn 﨑-like compatibility ideographs into other characters and could drop IVS selectors — only
/// whitespace is tidied. Length is counted in characters as people see them (grapheme clusters), so
/// 葛󠄀 (葛 + an IVS selector) and 𠮷 (a surrogate pair) count as one each.
/// </summary>
public static class TextField
{
    /// <summary>
    /// Single line: trimmed, runs of whitespace (newlines included) become one space. Multiline:
    /// CRLF and CR become LF, the whole text is trimmed, inner spacing is kept. Refused: control
    /// characters other than tab/newline, bidi overrides, ill-formed UTF-16, more than
    /// <paramref name="maxLength"/> characters. Blank input is "required".
    /// </summary>
    public static Validated<string> Validate(string? input, int maxLength = 1000, bool multiline = false)
    {
        var text = multiline ? Multiline(input) : TextNormalizer.Squeeze(input);
        return Check(text, maxLength);
    }

    /// <summary>The length of a text in characters as a person counts them (see the class summary).</summary>
    public static int Length(string? text) => string.IsNullOrEmpty(text) ? 0 : FieldText.Length(text);

    internal static Validated<string> Check(string text, int maxLength)
    {
        if (text.Length == 0) return Validated<string>.Fail(FieldText.Required());
        if (FirstForbidden(text) is { } bad)
        {
            var d = FieldText.Describe(bad);
            return Validated<string>.Fail(FieldText.Error("invalid_character",
                $"使えない文字 {d} が含まれています。この文字を消してから、もう一度入力してください。",
                $"The text contains a character that cannot be used: {d}. Delete it and enter the text again.",
                $"<ruby>使<rt>つか</rt></ruby>えない <ruby>文字<rt>もじ</rt></ruby> {FieldText.Html(d)} が あります。この <ruby>文字<rt>もじ</rt></ruby>を <ruby>消<rt>け</rt></ruby>してください。"));
        }
        var length = FieldText.Length(text);
        if (length > maxLength)
        {
            var max = maxLength.ToString(CultureInfo.InvariantCulture);
            var now = length.ToString(CultureInfo.InvariantCulture);
            return Validated<string>.Fail(FieldText.Error("too_long",
                $"{max}文字以内で入力してください（いまは{now}文字です）。",
                $"Enter at most {max} characters (you entered {now}).",
                $"{max}<ruby>文字<rt>もじ</rt></ruby>まで <ruby>書<rt>か</rt></ruby>けます。いまは {now}<ruby>文字<rt>もじ</rt></ruby>です。<ruby>短<rt>みじか</rt></ruby>く してください。"));
        }
        return Validated<string>.Ok(text);
    }

    /// <summary>
    /// The first character (text element) that never belongs in a field: control characters (tab,
    /// LF, CR aside), bidi embedding/override/isolate controls (they can disguise text), noncharacters
    /// and lone surrogates. 外字 (private use), IVS and other variation selectors are allowed.
    /// </summary>
    internal static string? FirstForbidden(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var cp = char.ConvertToUtf32(c, text[i + 1]);
                if ((cp & 0xFFFE) == 0xFFFE) return text.Substring(i, 2);
                i++;
                continue;
            }
            if (char.IsSurrogate(c)
                || (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'
                || c is >= '\uFDD0' and <= '\uFDEF' or '\uFFFE' or '\uFFFF')
            {
                return c.ToString();
            }
        }
        return null;
    }

    private static string Multiline(string? input)
    {
        if (string.IsNullOrEmpty(input)) return "";
        var s = input.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (c is '\uFEFF' or '\u200B') continue;
            sb.Append(c);
        }
        return sb.ToString().Trim();
    }
}

/// <summary>
/// 住所 (address lines). Kept byte for byte as typed — 外字 (private-use characters), IVS selectors
/// (U+E0100–U+E01EF) and surrogate pairs are never normalised, stripped or split (行政事務標準文字);
/// only whitespace is tidied. Control characters are refused.
/// </summary>
public static class AddressField
{
    public const int DefaultMaxLength = 200;

    public static Validated<string> Validate(string? input, int maxLength = DefaultMaxLength)
        => TextField.Check(TextNormalizer.Squeeze(input), maxLength);
}

/// <summary>
/// 氏名 (family or given name, one field each). Kept as typed, like addresses: 髙, 﨑 and IVS
/// variants of 葛 are different names to their owners. Whitespace is tidied; control characters are
/// refused. Digits and most ASCII symbols are refused since no name contains them; Latin letters
/// are accepted for residents whose names are written in them.
/// </summary>
public static class NameField
{
    public const int DefaultMaxLength = 50;

    public static Validated<string> Validate(string? input, int maxLength = DefaultMaxLength)
    {
        var checkedText = TextField.Check(TextNormalizer.Squeeze(input), maxLength);
        if (!checkedText.IsValid) return checkedText;
        foreach (var element in FieldText.Elements(checkedText.Value))
        {
            // Digits and symbols are typos in a name; letters (any script), marks, ・ ー 々 and spaces are not.
            var r = FieldText.Runes(element).First();
            var cat = Rune.GetUnicodeCategory(r);
            var letterLike = Rune.IsLetter(r) || cat is UnicodeCategory.PrivateUse or UnicodeCategory.NonSpacingMark
                || element is " " or "　" or "・" or "･" or "ー" or "ｰ" or "-" or "'" or "’" or "." or "々" or "〆" or "ヶ";
            if (!letterLike)
            {
                var d = FieldText.Describe(element);
                return Validated<string>.Fail(FieldText.Error("invalid_name_character",
                    $"氏名に使えない文字 {d} が含まれています。住民票に書かれている文字で入力してください。",
                    $"The name contains a character that cannot be used: {d}. Enter the name as written on your residence record.",
                    $"<ruby>名前<rt>なまえ</rt></ruby>に <ruby>使<rt>つか</rt></ruby>えない <ruby>文字<rt>もじ</rt></ruby> {FieldText.Html(d)} が あります。<ruby>住民票<rt>じゅうみんひょう</rt></ruby>と おなじ <ruby>文字<rt>もじ</rt></ruby>で <ruby>書<rt>か</rt></ruby>いてください。"));
            }
        }
        return checkedText;
    }
}

/// <summary>
/// フリガナ (reading of a family or given name). Stored in full-width katakana: hiragana and half-width
/// katakana are converted (<see cref="Kana.NormalizeFurigana"/>); small kana stay small (キョウコ ≠
/// キヨウコ); ー, ・ and spaces are allowed. Any other character is refused and named.
/// </summary>
public static class FuriganaField
{
    public const int DefaultMaxLength = 50;

    public static Validated<string> Validate(string? input, int maxLength = DefaultMaxLength)
    {
        var kana = Kana.NormalizeFurigana(input);
        if (kana.Length == 0) return Validated<string>.Fail(FieldText.Required());
        foreach (var element in FieldText.Elements(kana))
        {
            if (element.Length == 1 && IsAllowed(element[0])) continue;
            var d = FieldText.Describe(element);
            return Validated<string>.Fail(FieldText.Error("not_katakana",
                $"フリガナに使えない文字 {d} が含まれています。カタカナ（ひらがなも可）で入力してください。長音は「ー」です。",
                $"The reading contains {d}, which is not kana. Enter it in katakana or hiragana; use ー for a long vowel.",
                $"フリガナに <ruby>使<rt>つか</rt></ruby>えない <ruby>文字<rt>もじ</rt></ruby> {FieldText.Html(d)} が あります。カタカナか ひらがなで <ruby>書<rt>か</rt></ruby>いてください。"));
        }
        if (!Kana.IsFurigana(kana))
        {
            return Validated<string>.Fail(FieldText.Error("not_katakana",
                "フリガナをカタカナで入力してください。",
                "Enter the reading in katakana.",
                "フリガナを カタカナで <ruby>書<rt>か</rt></ruby>いてください。"));
        }
        return TextField.Check(kana, maxLength);
    }

    private static bool IsAllowed(char c) => c is >= '\u30A1' and <= '\u30FA' or 'ー' or '・' or 'ヽ' or 'ヾ' or ' ' or '\u3000';
}
