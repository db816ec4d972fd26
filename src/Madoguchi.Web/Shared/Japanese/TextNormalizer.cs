using System.Text;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// Cleans text typed or pasted by people: full-width digits and letters, 全角スペース, stray spaces.
/// Total: never throws, whatever the input (lone surrogates included).
/// </summary>
public static class TextNormalizer
{
    /// <summary>NFKC, then trim and collapse runs of whitespace (全角スペース, tabs, newlines) to one space.</summary>
    /// <remarks>For codes, numbers, dates and coded values; free text that must keep its shapes uses <see cref="Squeeze"/>.</remarks>
    public static string Normalize(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        string nfkc;
        try
        {
            nfkc = s.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // ICU refuses strings with lone surrogates: replace them and try again.
            try
            {
                nfkc = ReplaceLoneSurrogates(s).Normalize(NormalizationForm.FormKC);
            }
            catch (ArgumentException)
            {
                nfkc = ReplaceLoneSurrogates(s);
            }
        }
        return Squeeze(nfkc);
    }

    /// <summary>Trim and collapse whitespace only, keeping every character as written (外字, IVS, full-width brackets).</summary>
    public static string Squeeze(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        foreach (var c in s)
        {
            // A BOM or zero-width space left in a cell is invisible noise, never data.
            if (c is '\uFEFF' or '\u200B') continue;
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The text without any whitespace at all (for matching headers and dates such as "令和 6 年度").</summary>
    public static string Compact(string? s)
    {
        var n = Normalize(s);
        return n.Contains(' ', StringComparison.Ordinal) ? n.Replace(" ", "", StringComparison.Ordinal) : n;
    }

    private static string ReplaceLoneSurrogates(string s)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }
        return new string(chars);
    }
}
