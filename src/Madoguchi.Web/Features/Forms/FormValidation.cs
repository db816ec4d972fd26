using System.Globalization;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// The server's rules for the answers of one page, shared by the resident's pages and the
/// submission API: conditions, required, length, number, e-mail and choices. Japanese types
/// (氏名, dates, postcodes, phone, check digits, bank accounts) get their content rules from
/// <c>typeRules</c>, which the Shared/Japanese validators supply.
/// </summary>
public static class FormValidation
{
    /// <summary>Value of a checked consent box.</summary>
    public const string Agreed = "agree";

    public const int DefaultTextLength = 200;
    public const int DefaultLongTextLength = 2000;

    /// <summary>An answer that is not acceptable: the field's key (in a group: "family[0].memberName"), a code and the message.</summary>
    public sealed record FieldError(string Field, string Code, LocalizedText Message);

    /// <summary>Content rule of a type: null when the value is fine, else the message (in three languages).</summary>
    public delegate LocalizedText? TypeRule(FormField field, string value);

    /// <summary>Answers: key → values as posted (a checkbox has several). Fields in a group are keyed "group[i].field".</summary>
    public static IReadOnlyList<string> Values(IReadOnlyDictionary<string, IReadOnlyList<string>> answers, string key)
        => answers.TryGetValue(key, out var v) ? [.. v.Where(x => !string.IsNullOrWhiteSpace(x))] : [];

    /// <summary>Whether a condition holds; for a checkbox, when any checked value matches. No condition always holds.</summary>
    public static bool Holds(FormCondition? condition, IReadOnlyDictionary<string, IReadOnlyList<string>> answers, string? prefix = null)
    {
        if (condition is null) return true;
        // Inside a group item a sibling's answer is "family[0].x"; otherwise the field is top-level.
        var values = prefix is not null && answers.ContainsKey(prefix + condition.Field) ? Values(answers, prefix + condition.Field) : Values(answers, condition.Field);
        return condition.Operator == ConditionOperator.Filled ? values.Count > 0 : values.Any(v => condition.Values.Contains(v));
    }

    /// <summary>Number of items of a group in the answers: one more than the highest index posted.</summary>
    public static int GroupCount(FormGroup group, IReadOnlyDictionary<string, IReadOnlyList<string>> answers)
    {
        var count = 0;
        foreach (var key in answers.Keys)
        {
            if (!key.StartsWith(group.Key + "[", StringComparison.Ordinal)) continue;
            var close = key.IndexOf(']', group.Key.Length);
            if (close > 0 && int.TryParse(key.AsSpan(group.Key.Length + 1, close - group.Key.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < FormParser.MaxGroupItems)
            {
                count = Math.Max(count, i + 1);
            }
        }
        return count;
    }

    /// <param name="answers">All answers so far (earlier pages too, for conditions).</param>
    public static IReadOnlyList<FieldError> ValidatePage(FormPage page, IReadOnlyDictionary<string, IReadOnlyList<string>> answers, IReadOnlyDictionary<FieldType, TypeRule>? typeRules = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(answers);
        var errors = new List<FieldError>();
        foreach (var item in page.Items)
        {
            switch (item)
            {
                case FormField f when Holds(f.ShowWhen, answers):
                    Check(f, f.Key, Values(answers, f.Key), typeRules, errors);
                    break;
                case FormGroup g when Holds(g.ShowWhen, answers):
                    var count = GroupCount(g, answers);
                    if (count < g.Min) errors.Add(new(g.Key, "too_few", Message(g.Label, $"は{g.Min}件以上入力してください（今は{count}件）。", $": add at least {g.Min} (now {count}).", $"は {g.Min}つ{{以上|いじょう}} {{入|い}}れてください。")));
                    if (count > g.Max) errors.Add(new(g.Key, "too_many", Message(g.Label, $"は{g.Max}件までです（今は{count}件）。", $": at most {g.Max} (now {count}).", $"は {g.Max}つまでです。")));
                    for (var i = 0; i < Math.Min(count, g.Max); i++)
                    {
                        var prefix = $"{g.Key}[{i}].";
                        foreach (var f in g.Fields.Where(f => Holds(f.ShowWhen, answers, prefix)))
                        {
                            Check(f, prefix + f.Key, Values(answers, prefix + f.Key), typeRules, errors);
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        return errors;
    }

    /// <summary>Posted keys that are not answers of this page (forged, or from another page): never stored.</summary>
    public static IReadOnlyList<string> UnknownKeys(FormPage page, IEnumerable<string> postedKeys)
    {
        var fields = page.Items.OfType<FormField>().Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var groups = page.Items.OfType<FormGroup>().ToList();
        return [.. postedKeys.Where(k => !fields.Contains(k) && !groups.Any(g => IsGroupKey(g, k)))];
    }

    private static bool IsGroupKey(FormGroup g, string key)
    {
        if (!key.StartsWith(g.Key + "[", StringComparison.Ordinal)) return false;
        var close = key.IndexOf("].", StringComparison.Ordinal);
        return close > g.Key.Length + 1
               && int.TryParse(key.AsSpan(g.Key.Length + 1, close - g.Key.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < g.Max
               && g.Fields.Any(f => f.Key == key[(close + 2)..]);
    }

    private static void Check(FormField f, string key, IReadOnlyList<string> values, IReadOnlyDictionary<FieldType, TypeRule>? typeRules, List<FieldError> errors)
    {
        void Add(string code, LocalizedText message) => errors.Add(new(key, code, f.Error ?? message));

        if (values.Count == 0)
        {
            if (f.Required) Add("required", RequiredMessage(f));
            return;
        }
        var options = f.Settings.Options;
        if (f.Type != FieldType.Checkbox && f.Type != FieldType.File && values.Count > 1)
        {
            Add("too_many_values", Message(f.Label, "には値を1つだけ送ってください。", ": send one value only.", "には 1つだけ {入|い}れてください。"));
            return;
        }
        var value = values[0];
        switch (f.Type)
        {
            case FieldType.Text or FieldType.LongText or FieldType.Address:
                var max = f.Settings.MaxLength ?? (f.Type == FieldType.LongText ? DefaultLongTextLength : DefaultTextLength);
                // Counted in characters as people see them (𠮷 or an IVS sequence is one), not UTF-16 units.
                var length = new StringInfo(value).LengthInTextElements;
                if (length > max) Add("too_long", Message(f.Label, $"は{max}文字以内で入力してください（今は{length}文字）。", $" must be {max} characters or fewer (now {length}).", $"は {max}{{文字|もじ}}までです。"));
                break;
            case FieldType.Number:
                var text = TextNormalizer.Normalize(value).Replace(",", "", StringComparison.Ordinal);
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    Add("not_a_number", Message(f.Label, "は半角または全角の数字（整数）で入力してください。", " must be a whole number, like 3.", "は {数字|すうじ}で {書|か}いてください。"));
                }
                else if (n < f.Settings.Min || n > f.Settings.Max)
                {
                    var range = $"{f.Settings.Min?.ToString(CultureInfo.InvariantCulture) ?? ""}〜{f.Settings.Max?.ToString(CultureInfo.InvariantCulture) ?? ""}";
                    Add("out_of_range", Message(f.Label, $"は{range}の範囲で入力してください。", $" must be between {range.Replace("〜", " and ", StringComparison.Ordinal)}.", $"は {range}の {{数字|すうじ}}です。"));
                }
                break;
            case FieldType.Email:
                if (!LooksLikeEmail(TextNormalizer.Normalize(value)))
                {
                    Add("invalid_email", Message(f.Label, "は name@example.jp のような形で入力してください。", " must look like name@example.com.", "は name@example.jp のように {書|か}いてください。"));
                }
                break;
            case FieldType.Select or FieldType.Radio or FieldType.Checkbox:
                if (values.Any(v => options!.All(o => o.Value != v)))
                {
                    Add("invalid_option", Message(f.Label, "は表示された選択肢から選んでください。", ": choose one of the options shown.", "は {出|で}ている {中|なか}から {選|えら}んでください。"));
                }
                break;
            case FieldType.Consent:
                if (value != Agreed) Add("required", RequiredMessage(f));
                break;
            default:
                if (typeRules is not null && typeRules.TryGetValue(f.Type, out var rule) && rule(f, value) is { } problem) Add("invalid", problem);
                break;
        }
    }

    private static LocalizedText RequiredMessage(FormField f) => f.Type switch
    {
        FieldType.Select or FieldType.Radio => Message(f.Label, "を選んでください。", ": choose an answer.", "を {選|えら}んでください。"),
        FieldType.Checkbox => Message(f.Label, "を1つ以上選んでください。", ": choose at least one.", "を 1つ{以上|いじょう} {選|えら}んでください。"),
        FieldType.Consent => Message(f.Label, "に同意してください。", ": you must agree to continue.", "に {同意|どうい}してください。"),
        FieldType.File => Message(f.Label, "のファイルを選んでください。", ": choose a file.", "の ファイルを {選|えら}んでください。"),
        _ => Message(f.Label, "を入力してください。", ": enter an answer.", "を {入|い}れてください。"),
    };

    /// <summary>"＊{label}{text}" in the three languages; DADS starts error texts with ＊.</summary>
    private static LocalizedText Message(LocalizedText label, string ja, string en, string easy)
        => new($"＊{label.Ja}{ja}", $"＊{label.En ?? label.Ja}{en}", $"＊{label.Easy ?? label.Ja}{easy}");

    private static bool LooksLikeEmail(string s)
    {
        var at = s.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == s.LastIndexOf('@') && s.Length <= 254 && !s.Contains(' ', StringComparison.Ordinal)
               && s.IndexOf('.', at) > at + 1 && !s.EndsWith('.');
    }
}
