using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// The key that says two applications come from the same person, whatever the channel (online now,
/// paper keyed in later). Answers are folded before hashing so that the same person written
/// differently — full-width digits, かな or カナ, spaces, 4丁目11番28号 or 4-11-28 — gets the same key.
/// Only a hash is stored, salted with the form's id, so keys cannot be matched across forms.
/// </summary>
public static partial class PersonKeys
{
    /// <summary>The key, or null when the answers lack a field the rule needs (or no subject for by=identity).</summary>
    public static string? For(PersonLimit rule, Guid formId, JsonObject answers, string? identitySubject)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(answers);
        string? material = rule.By switch
        {
            PersonBasis.Email => Str(answers[rule.EmailField!]) is { } email ? Email(email) : null,
            PersonBasis.Identity => string.IsNullOrEmpty(identitySubject) ? null : identitySubject,
            _ => answers[rule.NameField!] is JsonObject name && Str(answers[rule.BirthDateField!]) is { } birth && Str(answers[rule.AddressField!]) is { } address
                ? $"{Name(Str(name["family"]) + " " + Str(name["given"]))}\n{TextNormalizer.Compact(birth)}\n{Address(address)}"
                : null,
        };
        if (string.IsNullOrEmpty(material)) return null;
        var kind = IntakeRules.BasisNames.First(x => x.Value == rule.By).Key;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{formId:N}\n{kind}\n{material}"));
        return $"{kind}:{Convert.ToHexStringLower(hash)}";
    }

    /// <summary>An e-mail address compared case-insensitively (providers ignore case in practice).</summary>
    public static string Email(string address) => TextNormalizer.Compact(address).ToUpperInvariant();

    /// <summary>A name without spaces, NFKC, hiragana as katakana, Latin letters in upper case.</summary>
    public static string Name(string name) => Fold(name);

    /// <summary>
    /// An address folded like <see cref="Name"/>, with kanji numerals before 丁目/番地/番/号 as digits and
    /// 丁目・番地・番・号・の and dash variants between numbers as one hyphen: 東陽四丁目11番地の28号 → 東陽4-11-28.
    /// </summary>
    public static string Address(string address)
    {
        var s = Fold(address);
        // Without a leading prefecture: postcode autofill writes it online, and on paper (keyed in by
        // staff) people often leave it out. The city that follows says where it is; two cities of one
        // name in different prefectures (府中市, 伊達市) with the same town, number, name and birth date
        // are not a case to guard against.
        s = Prefecture().Replace(s, "", 1);
        s = KanjiBeforeBlock().Replace(s, m => KanjiNumber(m.Value)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? m.Value);
        // The last number (二十八 in 十一番地の二十八) has no 号 after it: convert it by what precedes it.
        s = KanjiAfterBlock().Replace(s, m => KanjiNumber(m.Value)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? m.Value);
        s = RoomSuffix().Replace(s, "");
        s = BlockSeparator().Replace(s, "-");
        s = TrailingBlock().Replace(s, "");
        return s;
    }

    private static string Fold(string? text)
    {
        var s = Kana.ToKatakana(TextNormalizer.Compact(text));
        // ヶ and ヵ in place names (霞ヶ関, 霞ケ関) are the same letter written small.
        return s.Replace('ヶ', 'ケ').Replace('ヵ', 'カ').ToUpperInvariant();
    }

    /// <summary>一 … 九十九 (and 〇) as a number; null for anything else.</summary>
    internal static int? KanjiNumber(string s)
    {
        const string digits = "〇一二三四五六七八九";
        if (s.Length == 0) return null;
        if (!s.Contains('十', StringComparison.Ordinal))
        {
            // 一〇五 style: digit by digit.
            var n = 0;
            foreach (var c in s)
            {
                var d = digits.IndexOf(c, StringComparison.Ordinal);
                if (d < 0) return null;
                n = n * 10 + d;
            }
            return n;
        }
        var parts = s.Split('十');
        if (parts.Length != 2 || parts[0].Length > 1 || parts[1].Length > 1) return null;
        var tens = parts[0].Length == 0 ? 1 : digits.IndexOf(parts[0][0], StringComparison.Ordinal);
        var ones = parts[1].Length == 0 ? 0 : digits.IndexOf(parts[1][0], StringComparison.Ordinal);
        return tens < 1 || ones < 0 ? null : tens * 10 + ones;
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    [GeneratedRegex("^(?:東京都|北海道|(?:大阪|京都)府|(?:青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|神奈川|新潟|富山|石川|福井|山梨|長野|岐阜|静岡|愛知|三重|滋賀|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄)県)(?=.)")]
    private static partial Regex Prefecture();

    [GeneratedRegex("[〇一二三四五六七八九十]+(?=丁目|番地|番|号)")]
    private static partial Regex KanjiBeforeBlock();

    [GeneratedRegex(@"(?<=\d(?:(?:丁目|番地|番)ノ?|ノ|-))[〇一二三四五六七八九十]+")]
    private static partial Regex KanjiAfterBlock();

    [GeneratedRegex(@"(?<=\d)号室")]
    private static partial Regex RoomSuffix();

    // Kana folding has turned の into ノ; ー is only a separator between digits (コーポ keeps its ー).
    [GeneratedRegex(@"(?<=\d)(?:(?:丁目|番地|番|号)(?:ノ|[-‐‑‒–—―−ー])?|ノ|[-‐‑‒–—―−ー])(?=\d)")]
    private static partial Regex BlockSeparator();

    [GeneratedRegex(@"(?<=\d)(?:丁目|番地|番|号)(?=\D|$)")]
    private static partial Regex TrailingBlock();
}
