using System.Text;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>預金種目, with its 全銀 code as the value.</summary>
public enum BankAccountType
{
    /// <summary>普通</summary>
    Ordinary = 1,
    /// <summary>当座</summary>
    Current = 2,
    /// <summary>貯蓄</summary>
    Savings = 4,
}

/// <summary>
/// A transfer account as 全銀 (Zengin) data holds it. <see cref="Holder"/> is the 口座名義 in
/// full-width katakana restricted to what the 全銀 character set can carry; <see cref="HolderHalfWidth"/>
/// is the same name in the half-width form that transfer files use.
/// </summary>
public sealed record BankAccount(string BankCode, string BranchCode, BankAccountType Type, string Number, string Holder)
{
    public string TypeName => BankAccountField.TypeName(Type);
    public string HolderHalfWidth => BankAccountField.ToHalfWidth(Holder);
}

/// <summary>
/// 口座 (bank account for refunds and subsidies): 金融機関コード 4 digits, 支店コード 3 digits, 種目
/// (普通/当座/貯蓄, or the codes 1/2/4), 口座番号 up to 7 digits (zero-padded to 7), 口座名義 in kana.
/// Each part can be validated on its own; <see cref="Validate"/> checks all and tags each error with
/// its <see cref="FieldError.Part"/>, named as the answer's own parts: bank, branch, type, number, holder.
/// </summary>
public static class BankAccountField
{
    /// <summary>Half-width characters of the 受取人名 in 全銀 transfer data.</summary>
    public const int HolderMaxLength = 30;

    public static Validated<BankAccount> Validate(string? bankCode, string? branchCode, string? type, string? number, string? holder)
    {
        var bank = BankCode(bankCode);
        var branch = BranchCode(branchCode);
        var kind = AccountType(type);
        var no = AccountNumber(number);
        var name = Holder(holder);
        var errors = bank.Errors.Concat(branch.Errors).Concat(kind.Errors).Concat(no.Errors).Concat(name.Errors).ToList();
        return errors.Count > 0
            ? Validated<BankAccount>.Fail(errors)
            : Validated<BankAccount>.Ok(new BankAccount(bank.Value!, branch.Value!, kind.Value, no.Value!, name.Value!));
    }

    public static Validated<string> BankCode(string? input)
        => DigitCode.Read(input, 4, "金融機関コード", "bank code", "<ruby>銀行<rt>ぎんこう</rt></ruby>の コード", part: "bank");

    public static Validated<string> BranchCode(string? input)
        => DigitCode.Read(input, 3, "支店コード", "branch code", "<ruby>支店<rt>してん</rt></ruby>の コード", part: "branch");

    /// <summary>1 to 7 digits, zero-padded to 7 as 全銀 data holds them ("1234" → "0001234").</summary>
    public static Validated<string> AccountNumber(string? input)
    {
        var digits = DigitCode.Read(input, 7, "口座番号", "account number", "<ruby>口座番号<rt>こうざばんごう</rt></ruby>", upTo: true, part: "number");
        return digits.IsValid ? Validated<string>.Ok(digits.Value.PadLeft(7, '0')) : digits;
    }

    public static Validated<BankAccountType> AccountType(string? input)
    {
        var s = TextNormalizer.Compact(input);
        if (s.Length == 0) return Validated<BankAccountType>.Fail(FieldText.Required("type"));
        // The form's select posts the stored codes (ordinary, current, savings); an API client may
        // send them in any case, the 全銀 digit, or the passbook's word.
        BankAccountType? type = Kana.ToKatakana(s).ToLowerInvariant() switch
        {
            "1" or "普通" or "普通預金" or "フツウ" or "総合" or "ordinary" => BankAccountType.Ordinary,
            "2" or "当座" or "当座預金" or "トウザ" or "current" => BankAccountType.Current,
            "4" or "貯蓄" or "貯蓄預金" or "チョチク" or "savings" => BankAccountType.Savings,
            _ => null,
        };
        return type is { } t
            ? Validated<BankAccountType>.Ok(t)
            : Validated<BankAccountType>.Fail(FieldText.Error("invalid_account_type",
                "預金種目は「普通」「当座」「貯蓄」のいずれかを選んでください。",
                "Choose the account type: 普通 (ordinary), 当座 (current) or 貯蓄 (savings).",
                "<ruby>普通<rt>ふつう</rt></ruby>、<ruby>当座<rt>とうざ</rt></ruby>、<ruby>貯蓄<rt>ちょちく</rt></ruby>から えらんでください。", "type"));
    }

    /// <summary>
    /// 口座名義: hiragana and half-width kana are accepted; the value is full-width katakana within the
    /// 全銀 set — small kana become large (ッ → ツ, ャ → ヤ, as banks register them), ヰヱ → イエ,
    /// letters upper case, ・ → ．, long vowel and hyphens → ー, one 全角スペース between words.
    /// Kanji and other characters are refused and named.
    /// </summary>
    public static Validated<string> Holder(string? input)
    {
        var kana = Kana.NormalizeFurigana(input);
        if (kana.Length == 0) return Validated<string>.Fail(FieldText.Required("holder"));
        var sb = new StringBuilder(kana.Length);
        foreach (var element in FieldText.Elements(kana))
        {
            var mapped = element.Length == 1 ? Map(element[0]) : null;
            if (mapped is null)
            {
                var d = FieldText.Describe(element);
                return Validated<string>.Fail(FieldText.Error("invalid_holder_character",
                    $"口座名義に使えない文字 {d} が含まれています。通帳に書かれているとおりカタカナで入力してください（英字・数字・（）．／ー も使えます）。",
                    $"The account holder contains {d}, which bank transfers cannot carry. Enter the name in katakana as printed in the passbook (letters, digits and ( ) . / - are also allowed).",
                    $"<ruby>口座<rt>こうざ</rt></ruby>の <ruby>名前<rt>なまえ</rt></ruby>に <ruby>使<rt>つか</rt></ruby>えない <ruby>文字<rt>もじ</rt></ruby> {FieldText.Html(d)} が あります。<ruby>通帳<rt>つうちょう</rt></ruby>と おなじ カタカナで <ruby>書<rt>か</rt></ruby>いてください。", "holder"));
            }
            sb.Append(mapped.Value);
        }
        var holder = sb.ToString();
        // 全銀 data gives the name 30 half-width characters, where ガ takes two (ｶﾞ): count that form.
        if (ToHalfWidth(holder).Length > HolderMaxLength)
        {
            return Validated<string>.Fail(FieldText.Error("too_long",
                $"口座名義が長すぎます。振込データでは半角{HolderMaxLength}文字まで（濁点・半濁点も1文字）です。通帳の表記（株式会社は「カ）」など）で入力してください。",
                $"The account holder is too long: transfers carry {HolderMaxLength} half-width characters (a voiced mark counts as one). Use the passbook's abbreviations.",
                $"<ruby>口座<rt>こうざ</rt></ruby>の <ruby>名前<rt>なまえ</rt></ruby>が <ruby>長<rt>なが</rt></ruby>すぎます。<ruby>通帳<rt>つうちょう</rt></ruby>と おなじに <ruby>書<rt>か</rt></ruby>いてください。", "holder"));
        }
        return Validated<string>.Ok(holder);
    }

    public static string TypeName(BankAccountType type) => type switch
    {
        BankAccountType.Current => "当座",
        BankAccountType.Savings => "貯蓄",
        _ => "普通",
    };

    /// <summary>The value an answer stores and the API returns: ordinary, current or savings (the form's select posts the same).</summary>
    public static string Code(BankAccountType type) => type switch
    {
        BankAccountType.Current => "current",
        BankAccountType.Savings => "savings",
        _ => "ordinary",
    };

    /// <summary>The 預金種目 of a stored answer as the passbook prints it (普通, 当座, 貯蓄); the value itself when it is not one.</summary>
    public static string TypeNameOf(string? stored) => Stored(stored) is { } type ? TypeName(type) : stored ?? "";

    /// <summary>The 預金種目 of a stored answer (any spelling <see cref="AccountType"/> accepts), or null when it is not one.</summary>
    public static BankAccountType? Stored(string? value) => AccountType(value) is { IsValid: true } t ? t.Value : null;

    /// <summary>The half-width form of a full-width 全銀 name, as transfer files carry it: ヤマダ　タロウ → ﾔﾏﾀﾞ ﾀﾛｳ.</summary>
    public static string ToHalfWidth(string? holder)
    {
        if (string.IsNullOrEmpty(holder)) return "";
        var sb = new StringBuilder(holder.Length * 2);
        foreach (var c in holder)
        {
            var i = FullKana.IndexOf(c, StringComparison.Ordinal);
            if (i >= 0)
            {
                sb.Append(HalfKana[i]);
                continue;
            }
            var voiced = VoicedKana.IndexOf(c, StringComparison.Ordinal);
            if (voiced >= 0)
            {
                sb.Append(VoicedBase[voiced]).Append('ﾞ');
                continue;
            }
            var semi = SemiVoicedKana.IndexOf(c, StringComparison.Ordinal);
            if (semi >= 0)
            {
                sb.Append(SemiVoicedBase[semi]).Append('ﾟ');
                continue;
            }
            sb.Append(c switch
            {
                '\u3000' => ' ',
                'ー' => '-',
                >= '０' and <= '９' or >= 'Ａ' and <= 'Ｚ' or '（' or '）' or '．' or '／' or '，' or '－' => (char)(c - 0xFEE0),
                '「' => '｢',
                '」' => '｣',
                _ => c,
            });
        }
        return sb.ToString();
    }

    private const string FullKana = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
    private const string HalfKana = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ";
    private const string VoicedKana = "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ";
    private const string VoicedBase = "ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎｳ";
    private const string SemiVoicedKana = "パピプペポ";
    private const string SemiVoicedBase = "ﾊﾋﾌﾍﾎ";
    private const string SmallKana = "ァィゥェォッャュョヮヵヶ";
    private const string LargeKana = "アイウエオツヤユヨワカケ";

    /// <summary>One character of a name already converted to full-width katakana, mapped into the 全銀 set; null when it has no place there.</summary>
    private static char? Map(char c)
    {
        if (FullKana.Contains(c, StringComparison.Ordinal) || VoicedKana.Contains(c, StringComparison.Ordinal) || SemiVoicedKana.Contains(c, StringComparison.Ordinal)) return c;
        var small = SmallKana.IndexOf(c, StringComparison.Ordinal);
        if (small >= 0) return LargeKana[small];
        return c switch
        {
            'ヰ' => 'イ',
            'ヱ' => 'エ',
            '\u3000' => '\u3000',
            'ー' or '-' or '‐' or '−' or '－' or 'ｰ' => 'ー',
            '・' or '･' or '.' or '．' => '．',
            >= 'a' and <= 'z' => (char)(c - 'a' + 'Ａ'),
            >= 'A' and <= 'Z' => (char)(c - 'A' + 'Ａ'),
            >= 'ａ' and <= 'ｚ' => (char)(c - 'ａ' + 'Ａ'),
            >= 'Ａ' and <= 'Ｚ' => c,
            >= '0' and <= '9' => (char)(c - '0' + '０'),
            >= '０' and <= '９' => c,
            '(' or '（' => '（',
            ')' or '）' => '）',
            '/' or '／' => '／',
            ',' or '，' => '，',
            '「' or '｢' => '「',
            '」' or '｣' => '」',
            _ => null,
        };
    }
}
