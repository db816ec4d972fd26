using System.Text;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// フリガナ (DESIGN.md §3): stored in full-width katakana; hiragana and half-width katakana are
/// accepted and converted. Small kana stay small (キョウコ ≠ キヨウコ). Nothing here throws.
/// Typical use: <c>var f = Kana.NormalizeFurigana(input); if (!Kana.IsFurigana(f)) error…</c>
/// </summary>
public static class Kana
{
    private const char IdeographicSpace = '\u3000';

    /// <summary>
    /// Hiragana → katakana (ゔ → ヴ, ゝゞ → ヽヾ) and half-width katakana → full-width, joining a
    /// half-width voiced mark with its kana (ｶﾞ → ガ, ｳﾞ → ヴ, ﾊﾟ → パ). Everything else is kept as it
    /// is, so 外字 in a wrongly filled field are not altered. Idempotent; null gives "".
    /// </summary>
    public static string ToKatakana(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        var hasCombiningMark = false;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (IsHalfWidthKatakana(c))
            {
                // NFKC maps a run of half-width kana to full width and composes ｶﾞ into ガ.
                var start = i;
                while (i < text.Length && IsHalfWidthKatakana(text[i])) i++;
                var full = Unicode.TryNormalize(text[start..i], NormalizationForm.FormKC);
                hasCombiningMark |= full.Contains('\u3099', StringComparison.Ordinal) || full.Contains('\u309A', StringComparison.Ordinal);
                sb.Append(full);
                continue;
            }
            if (c is >= '\u3041' and <= '\u3096' or '\u309D' or '\u309E') c = (char)(c + 0x60);
            else if (c is '\u3099' or '\u309A') hasCombiningMark = true;
            sb.Append(c);
            i++;
        }
        var result = sb.ToString();
        // A combining voiced mark (from ﾞ after a kana, or typed as such) joins its kana: カ + ゙ → ガ.
        return hasCombiningMark ? Unicode.TryNormalize(result, NormalizationForm.FormC) : result;
    }

    /// <summary>
    /// <see cref="ToKatakana"/>, then stray spaces: trimmed, and each run of spaces (half- or
    /// full-width, tabs) becomes one 全角スペース, the usual separator between family and given name.
    /// </summary>
    public static string NormalizeFurigana(string? text)
    {
        var kana = ToKatakana(text);
        var sb = new StringBuilder(kana.Length);
        var pendingSpace = false;
        foreach (var c in kana)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace) sb.Append(IdeographicSpace);
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// True when the text is フリガナ as stored: full-width katakana (small kana and ヴ included), ー,
    /// ・, ヽヾ and spaces (half- or full-width), with at least one kana. Hiragana and half-width kana
    /// are false: pass input through <see cref="NormalizeFurigana"/> first.
    /// </summary>
    public static bool IsFurigana(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        var hasKana = false;
        foreach (var c in text)
        {
            if (c is >= '\u30A1' and <= '\u30FA') hasKana = true;
            else if (c is not ('ー' or '・' or 'ヽ' or 'ヾ' or ' ' or IdeographicSpace)) return false;
        }
        return hasKana;
    }

    private static bool IsHalfWidthKatakana(char c) => c is >= '\uFF61' and <= '\uFF9F';
}
