using System.Globalization;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// A character a cp932 (Shift_JIS) export could not hold, where it was, and what was written instead.
/// <see cref="Row"/> counts data rows from 1; 0 is the heading row.
/// </summary>
public sealed record Replacement(long Row, string Column, string Character)
{
    /// <summary>What stands in the file in place of the character: visible, never a silent "?".</summary>
    public const string Mark = "〓";

    public string CodePoint => string.Join(" ", Character.EnumerateRunes().Select(r => "U+" + r.Value.ToString("X4", CultureInfo.InvariantCulture)));

    /// <summary>The message staff read, e.g. 3行目「氏名」: 「𠮷」(U+20BB7) は Shift_JIS にないため 〓 にしました。</summary>
    public string Message => $"{(Row == 0 ? "見出し行" : Row.ToString(CultureInfo.InvariantCulture) + "行目")}「{Column}」: 「{Character}」({CodePoint}) は Shift_JIS（cp932）にないため {Mark} にしました";
}

/// <summary>
/// What an export wrote: the number of data rows, and for cp932 every character that had to be
/// replaced. The first <see cref="ExportWriter.MaxListedReplacements"/> are listed; <see cref="ReplacementCount"/> counts all.
/// </summary>
public sealed record ExportOutcome(long Rows, IReadOnlyList<Replacement> Replacements, long ReplacementCount)
{
    /// <summary>True when every character was written as it is.</summary>
    public bool Exact => ReplacementCount == 0;
}
