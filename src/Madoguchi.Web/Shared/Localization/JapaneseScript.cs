namespace Madoguchi.Web.Shared.Localization;

/// <summary>Whether a text is written (at least partly) in Japanese script: kana, kanji or half-width kana.</summary>
public static class JapaneseScript
{
    public static bool In(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var c in text)
        {
            if (c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uFF66' and <= '\uFF9F')) return true;
        }
        return false;
    }
}
