using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// An error message in the three languages of residents' pages. <see cref="Ja"/> and <see cref="En"/>
/// are plain text (encode them when writing HTML); <see cref="EasyHtml"/> is やさしい日本語 with ruby
/// markup, safe to write as HTML: any part that came from the input is already encoded.
/// </summary>
public sealed record FieldMessage(string Ja, string En, string EasyHtml)
{
    /// <summary>やさしい日本語 without the markup (ruby readings dropped), for JSON and e-mail.</summary>
    public string Easy => EasyPlain.Of(EasyHtml);

    /// <summary>Plain text in one language.</summary>
    public string Text(Language language) => language switch { Language.En => En, Language.Easy => Easy, _ => Ja };
}

/// <summary>
/// One refusal: a stable <see cref="Code"/> for programs (API <c>errors[].code</c>), a message that
/// says how to fix the input, and for a field of several parts (bank account) the <see cref="Part"/>.
/// </summary>
public sealed record FieldError(string Code, FieldMessage Message, string? Part = null);

/// <summary>
/// What a field validator returns: the normalised value, or the errors (at least one). Validators
/// never throw, whatever the input; pass <see cref="Value"/> back in and it validates to itself.
/// </summary>
public sealed class Validated<T>
{
    private Validated(T? value, IReadOnlyList<FieldError> errors)
    {
        Value = value;
        Errors = errors;
    }

    public T? Value { get; }
    public IReadOnlyList<FieldError> Errors { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Errors.Count == 0;

    /// <summary>The first error, or null when valid.</summary>
    public FieldError? Error => Errors.Count > 0 ? Errors[0] : null;

    public static Validated<T> Ok(T value) => new(value, []);

    public static Validated<T> Fail(FieldError error) => new(default, [error]);

    public static Validated<T> Fail(IReadOnlyList<FieldError> errors) =>
        errors.Count == 0 ? throw new ArgumentException("at least one error", nameof(errors)) : new(default, errors);

    public override string ToString() => IsValid ? $"Ok({Value})" : $"Fail({string.Join(", ", Errors.Select(e => e.Code))})";
}

/// <summary>What every field validator has in common.</summary>
public static class FieldInput
{
    /// <summary>
    /// True when nothing was entered (null, empty, only whitespace or invisible BOM/zero-width
    /// spaces). Every validator refuses blank input with the code "required": for an optional field,
    /// test this first and store nothing.
    /// </summary>
    public static bool IsBlank(string? input) => TextNormalizer.Squeeze(input).Length == 0;
}

/// <summary>Helpers shared by the field validators.</summary>
internal static class FieldText
{
    public static FieldError Error(string code, string ja, string en, string easyHtml, string? part = null)
        => new(code, new FieldMessage(ja, en, easyHtml), part);

    public static FieldError Required(string? part = null) => Error("required",
        "入力してください。", "Enter a value.", "<ruby>書<rt>か</rt></ruby>いてください。", part);

    /// <summary>
    /// A character as people can recognise it in a message: 「山」, or its code point when it is
    /// invisible or cannot be shown on its own (「U+0007」, a variation selector, a lone surrogate).
    /// </summary>
    public static string Describe(string element)
    {
        if (element.Length == 0) return "";
        var visible = true;
        foreach (var r in Runes(element))
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpaceSeparator
                || r.Value == 0xFFFD)
            {
                visible = false;
            }
        }
        var codes = string.Join(" ", Runes(element).Select(r => "U+" + r.Value.ToString("X4", CultureInfo.InvariantCulture)));
        return visible ? $"「{element}」({codes})" : $"「{codes}」";
    }

    /// <summary>The code points of a string, a lone surrogate given as itself (so nothing throws).</summary>
    public static IEnumerable<Rune> Runes(string s)
    {
        for (var i = 0; i < s.Length;)
        {
            if (Rune.TryGetRuneAt(s, i, out var r))
            {
                yield return r;
                i += r.Utf16SequenceLength;
            }
            else
            {
                // A lone surrogate is not a Rune; U+FFFD stands for it.
                yield return Rune.ReplacementChar;
                i++;
            }
        }
    }

    /// <summary>
    /// The text elements (extended grapheme clusters) of a string: 葛 followed by an IVS selector is
    /// one element, as is a surrogate pair; a lone surrogate is an element of its own.
    /// </summary>
    public static IEnumerable<string> Elements(string s)
    {
        var e = StringInfo.GetTextElementEnumerator(s);
        while (e.MoveNext()) yield return e.GetTextElement();
    }

    /// <summary>Number of characters as a person counts them (grapheme clusters).</summary>
    public static int Length(string s) => s.Length == 0 ? 0 : new StringInfo(s).LengthInTextElements;

    public static string Html(string s) => WebUtility.HtmlEncode(s);
}
