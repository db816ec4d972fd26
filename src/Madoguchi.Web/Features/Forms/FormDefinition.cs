using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// A form of a procedure as docs/forms-format.md describes it: what <see cref="FormParser"/> reads
/// and <see cref="FormJson"/> writes. Immutable, so a published version can be shared freely.
/// </summary>
public sealed record FormDefinition(
    string Slug,
    string ProcedureCode,
    LocalizedText Title,
    LocalizedText? Description,
    int DraftExpiryDays,
    IReadOnlyList<FormPage> Pages)
{
    public const int DefaultDraftExpiryDays = 30;

    /// <summary>Sign-in through the municipality's identity provider (Features/Applicants); null when the form does not offer it.</summary>
    public Applicants.FormSignIn? SignIn { get; init; }
    /// <summary>How the answers of the previous version map onto this one (docs/forms-format.md, "Changes between versions").</summary>
    public VersionChangeSet? Changes { get; init; }
    /// <summary>Opening time, deadline, capacity and per-person limit ("intake"); null when the form has none.</summary>
    public Intake.IntakeRules? Intake { get; init; }

    /// <summary>Every field with a key, in form order, including those inside groups.</summary>
    public IEnumerable<FormField> AllFields => Pages.SelectMany(p => p.Items).SelectMany(i => i switch
    {
        FormField f => [f],
        FormGroup g => g.Fields,
        _ => Enumerable.Empty<FormField>(),
    });

    /// <summary>True when a field collects 個人番号 (only allowed for procedures marked as using it).</summary>
    public bool CollectsMyNumber => AllFields.Any(f => f.Type == FieldType.MyNumber);
}

/// <summary>A text in Japanese (required), English and やさしい日本語 (optional; may carry ruby markup).</summary>
public sealed record LocalizedText(string Ja, string? En = null, string? Easy = null)
{
    /// <summary>The text for a language as plain text: missing translations fall back to Japanese; ruby is dropped.</summary>
    public string Plain(Language language) => language switch
    {
        Language.En => En ?? Ja,
        Language.Easy => Easy is null ? Ja : EasyText.ToPlain(Easy),
        _ => Ja,
    };
}

public sealed record FormPage(string Key, LocalizedText Title, FormCondition? ShowWhen, IReadOnlyList<FormItem> Items);

/// <summary>One element of a page: a field, a repeatable group, static text or a fee.</summary>
public abstract record FormItem;

/// <summary>Text shown to the resident, without an answer.</summary>
public sealed record StaticText(LocalizedText? Heading, LocalizedText Text, FormCondition? ShowWhen) : FormItem;

/// <summary>A fee the resident will pay, in whole yen.</summary>
public sealed record FeeDisplay(LocalizedText Label, long Yen, FormCondition? ShowWhen) : FormItem
{
    /// <summary>
    /// The key of the top-level number field the fee is charged per (住民票の写し: 300円 per copy), so the
    /// resident pays <see cref="Yen"/> × that answer; null for a flat fee. See <see cref="FeeAmounts"/>.
    /// </summary>
    public string? Per { get; init; }
}

/// <summary>A set of fields the resident fills in several times (e.g. family members).</summary>
public sealed record FormGroup(
    string Key,
    LocalizedText Label,
    LocalizedText? Help,
    LocalizedText? ItemLabel,
    int Min,
    int Max,
    FormCondition? ShowWhen,
    IReadOnlyList<FormField> Fields) : FormItem;

/// <summary>Field types of the format, as written in JSON (kebab-case).</summary>
public enum FieldType
{
    Text,
    LongText,
    Number,
    Email,
    Phone,
    /// <summary>氏名 (family and given name), with フリガナ unless the form turns it off.</summary>
    Name,
    /// <summary>A date, accepted in 西暦 or 和暦 and shown in both.</summary>
    Date,
    Postcode,
    Address,
    Select,
    Radio,
    Checkbox,
    File,
    /// <summary>個人番号 (12 digits with check digit); always sensitive.</summary>
    MyNumber,
    /// <summary>法人番号 (13 digits with check digit).</summary>
    CorporateNumber,
    /// <summary>Bank, branch, account type, number and holder in kana.</summary>
    BankAccount,
    /// <summary>A statement the resident must agree to.</summary>
    Consent,
}

public sealed record FieldOption(string Value, LocalizedText Label);

public sealed record FormField(
    string Key,
    FieldType Type,
    LocalizedText Label,
    LocalizedText? Help,
    LocalizedText? Error,
    bool Required,
    bool Sensitive,
    FormCondition? ShowWhen,
    FieldSettings Settings) : FormItem;

/// <summary>
/// Per-type settings; only those that apply to the field's type may be set (the parser refuses the
/// others), and unset ones are null so an export writes back exactly what was imported.
/// </summary>
public sealed record FieldSettings
{
    public int? MaxLength { get; init; }
    public long? Min { get; init; }
    public long? Max { get; init; }
    public string? Unit { get; init; }
    public DateOnly? MinDate { get; init; }
    public DateOnly? MaxDate { get; init; }
    public IReadOnlyList<FieldOption>? Options { get; init; }
    /// <summary>File types among <see cref="FormParser.FileTypes"/>.</summary>
    public IReadOnlyList<string>? Accept { get; init; }
    public long? MaxBytes { get; init; }
    public int? MaxFiles { get; init; }
    /// <summary>For a name: whether フリガナ is asked (default true).</summary>
    public bool? Kana { get; init; }
    /// <summary>For a postcode: the key of the address field on the same page that it fills.</summary>
    public string? AddressField { get; init; }
    /// <summary>For consent: the statement agreed to.</summary>
    public LocalizedText? Statement { get; init; }
    public string? Autocomplete { get; init; }

    public static readonly FieldSettings None = new();
}

public enum ConditionOperator { Equals, In, Filled }

/// <summary>Show a page or an item only when an earlier answer equals a value, is one of several, or is filled.</summary>
public sealed record FormCondition(string Field, ConditionOperator Operator, IReadOnlyList<string> Values);

/// <summary>
/// The declared changes from version <see cref="From"/>: keys renamed (old → new, fields or groups,
/// inside groups too) and keys removed. Added fields need no declaration; renames and removals do,
/// so no answer of a resident's draft is ever dropped without the author having said so.
/// </summary>
public sealed record VersionChangeSet(int From, IReadOnlyList<KeyRename> Renamed, IReadOnlyList<string> Removed);

public sealed record KeyRename(string Old, string New);
