using System.Text;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// Shared rules of the check-digit validators (DESIGN.md §3). The validators are strict and total:
/// they take the canonical form (ASCII digits only, nothing else) and answer false, never throw, for
/// anything else. Form input goes through <see cref="NormalizeDigits"/> first, which accepts what
/// people type: full-width digits, spaces and hyphens ("１３１０８３", "1234 5678 9012").
/// </summary>
public static class CheckDigits
{
    /// <summary>
    /// NFKC (full-width digits become ASCII), then drops spaces (incl. 全角スペース) and hyphen-like
    /// separators. Other characters are kept, so the validator still rejects them. Null stays null.
    /// </summary>
    public static string? NormalizeDigits(string? input)
    {
        if (input is null) return null;
        var text = Unicode.TryNormalize(input, NormalizationForm.FormKC);
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c is '-' or '‐' or '‑' or '‒' or '–' or '—' or '―' or '−' or 'ー') continue;
            sb.Append(c);
        }
        return sb.ToString();
    }

    internal static bool AllAsciiDigits(string? s, int length)
    {
        if (s is null || s.Length != length) return false;
        foreach (var c in s)
        {
            if (c is < '0' or > '9') return false;
        }
        return true;
    }
}

/// <summary>個人番号 (マイナンバー): 11 digits and a check digit.</summary>
public static class MyNumber
{
    public const int Length = 12;

    /// <summary>True for exactly 12 ASCII digits whose last digit is the check digit of the first 11.</summary>
    public static bool IsValid(string? number)
        => CheckDigits.AllAsciiDigits(number, Length) && number![11] - '0' == CheckDigit(number.AsSpan(0, 11));

    /// <summary>
    /// 11 − (Σ Pn·Qn mod 11), Pn the n-th digit counted from the right, Qn = n+1 for n ≤ 6 and n−5
    /// for n ≥ 7; 0 when the remainder is 0 or 1. Returns −1 unless given 11 ASCII digits.
    /// </summary>
    public static int CheckDigit(ReadOnlySpan<char> eleven)
    {
        var r = Remainder(eleven);
        return r < 0 ? -1 : r <= 1 ? 0 : 11 - r;
    }

    /// <summary>Σ Pn·Qn mod 11, or −1 unless given 11 ASCII digits.</summary>
    public static int Remainder(ReadOnlySpan<char> eleven)
    {
        if (eleven.Length != 11) return -1;
        var sum = 0;
        for (var n = 1; n <= 11; n++)
        {
            var c = eleven[11 - n];
            if (c is < '0' or > '9') return -1;
            sum += (c - '0') * (n <= 6 ? n + 1 : n - 5);
        }
        return sum % 11;
    }
}

/// <summary>法人番号: a leading check digit and the 12-digit 会社法人等番号 (or an assigned number).</summary>
public static class CorporateNumber
{
    public const int Length = 13;

    /// <summary>True for exactly 13 ASCII digits whose first digit is the check digit of the other 12.</summary>
    public static bool IsValid(string? number)
        => CheckDigits.AllAsciiDigits(number, Length) && number![0] - '0' == CheckDigit(number.AsSpan(1));

    /// <summary>
    /// 9 − (Σ Pn·Qn mod 9), Pn the n-th of the 12 digits counted from the right, Qn = 1 for odd n and
    /// 2 for even n (so it is 1–9, never 0). Returns −1 unless given 12 ASCII digits.
    /// </summary>
    public static int CheckDigit(ReadOnlySpan<char> twelve)
    {
        if (twelve.Length != 12) return -1;
        var sum = 0;
        for (var n = 1; n <= 12; n++)
        {
            var c = twelve[12 - n];
            if (c is < '0' or > '9') return -1;
            sum += (c - '0') * (n % 2 == 1 ? 1 : 2);
        }
        return 9 - sum % 9;
    }
}

/// <summary>全国地方公共団体コード: 5 digits (都道府県 2 + 市区町村 3) and a check digit (江東区 = 131083).</summary>
public static class LocalGovernmentCode
{
    public const int Length = 6;

    public static bool IsValid(string? code)
        => CheckDigits.AllAsciiDigits(code, Length) && code![5] - '0' == CheckDigit(code.AsSpan(0, 5));

    /// <summary>(11 − Σ(d·[6,5,4,3,2]) mod 11) mod 10; −1 unless given 5 ASCII digits.</summary>
    public static int CheckDigit(ReadOnlySpan<char> five)
    {
        var r = Remainder(five);
        return r < 0 ? -1 : (11 - r) % 10;
    }

    /// <summary>Σ(d·[6,5,4,3,2]) mod 11, or −1 unless given 5 ASCII digits.</summary>
    public static int Remainder(ReadOnlySpan<char> five)
    {
        if (five.Length != 5) return -1;
        var sum = 0;
        for (var i = 0; i < 5; i++)
        {
            if (five[i] is < '0' or > '9') return -1;
            sum += (five[i] - '0') * (6 - i);
        }
        return sum % 11;
    }
}

/// <summary>Unicode normalisation that never throws (string.Normalize throws on lone surrogates).</summary>
internal static class Unicode
{
    public static string TryNormalize(string s, NormalizationForm form)
    {
        if (!IsWellFormed(s)) return s;
        try
        {
            return s.Normalize(form);
        }
        catch (ArgumentException)
        {
            // ICU refuses some ill-formed input beyond lone surrogates; the text then stays as it was.
            return s;
        }
    }

    public static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(s[i]))
            {
                return false;
            }
        }
        return true;
    }
}
