using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Madoguchi.Web.Features.Queue.Live;

/// <summary>
/// The lobby call "2013番の方、3番窓口へどうぞ": the text shown, and the readings that the browser's
/// speech synthesis speaks — numbers read as numbers (にせんじゅうさん), not digit by digit, because
/// voices read "2013" differently (digits, or "twenty thirteen" in English).
/// </summary>
public sealed partial record Announcement(string Text, string Reading, string English)
{
    public static Announcement For(int number, string counter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        var n = number.ToString(CultureInfo.InvariantCulture);
        if (CounterNumber(counter) is { } c)
        {
            var cn = c.ToString(CultureInfo.InvariantCulture);
            return new($"{n}番の方、{cn}番窓口へどうぞ", $"{JapaneseReading(number)}ばんのかた、{JapaneseReading(c)}ばんまどぐちへどうぞ",
                $"Number {EnglishWords(number)}, please go to counter {cn}.");
        }
        // A counter with a name ("証明発行窓口") is spoken as written; voices read kanji names well.
        var name = counter.Trim();
        return new($"{n}番の方、{name}へどうぞ", $"{JapaneseReading(number)}ばんのかた、{name}へどうぞ",
            $"Number {EnglishWords(number)}, please go to {name}.");
    }

    /// <summary>"3", "３", "3番", "3番窓口" → 3; a counter named otherwise → null.</summary>
    public static int? CounterNumber(string counter)
    {
        var m = CounterPattern().Match(counter.Normalize(NormalizationForm.FormKC).Trim());
        return m.Success && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;
    }

    private static readonly string[] Ones = ["", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう"];
    private static readonly string[] Tens = ["", "じゅう", "にじゅう", "さんじゅう", "よんじゅう", "ごじゅう", "ろくじゅう", "ななじゅう", "はちじゅう", "きゅうじゅう"];
    // The sound changes: さんびゃく, ろっぴゃく, はっぴゃく, さんぜん, はっせん.
    private static readonly string[] Hundreds = ["", "ひゃく", "にひゃく", "さんびゃく", "よんひゃく", "ごひゃく", "ろっぴゃく", "ななひゃく", "はっぴゃく", "きゅうひゃく"];
    private static readonly string[] Thousands = ["", "せん", "にせん", "さんぜん", "よんせん", "ごせん", "ろくせん", "ななせん", "はっせん", "きゅうせん"];

    /// <summary>The number in hiragana as it is read aloud: 2013 → にせんじゅうさん, 0 → ぜろ; up to 99,999,999.</summary>
    public static string JapaneseReading(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 99_999_999);
        if (number == 0) return "ぜろ";
        var man = number / 10_000;
        var rest = number % 10_000;
        if (man == 0) return UnderTenThousand(rest);
        // 10,000 is いちまん; 10,000,000 is いっせんまん (the せん before まん takes いっ).
        var head = man == 1 ? "いち" : man >= 1000 && man / 1000 == 1 ? "いっ" + UnderTenThousand(man) : UnderTenThousand(man);
        return head + "まん" + UnderTenThousand(rest);
    }

    private static string UnderTenThousand(int n)
        => Thousands[n / 1000] + Hundreds[n / 100 % 10] + Tens[n / 10 % 10] + Ones[n % 10];

    private static readonly string[] EnglishOnes =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];
    private static readonly string[] EnglishTens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    /// <summary>The number in English words, as a ticket number is called: 2013 → "two thousand thirteen".</summary>
    public static string EnglishWords(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        if (number < 20) return EnglishOnes[number];
        if (number < 100) return EnglishTens[number / 10] + (number % 10 == 0 ? "" : "-" + EnglishOnes[number % 10]);
        foreach (var (size, word) in new[] { (1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred") })
        {
            if (number >= size)
            {
                var rest = number % size;
                return EnglishWords(number / size) + " " + word + (rest == 0 ? "" : " " + EnglishWords(rest));
            }
        }
        throw new UnreachableException();
    }

    [GeneratedRegex(@"^(\d{1,4})\s*(?:番)?\s*(?:窓口)?$")]
    private static partial Regex CounterPattern();
}
