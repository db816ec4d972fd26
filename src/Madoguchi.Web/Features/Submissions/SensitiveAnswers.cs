using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Answers that must not be readable from a copy of the database (個人番号, bank accounts, fields a
/// form marks sensitive) leave the answers JSON before it is stored and go to the PersonalDataVault,
/// one encrypted value per answer path (<c>key</c> or <c>group[i].key</c>). The stored JSON keeps a
/// masked 個人番号 for staff lists and a placeholder for other sensitive answers.
/// </summary>
public static class SensitiveAnswers
{
    public const string Placeholder = "（暗号化して保管）";

    public static bool IsSensitive(FormField field) => field.Sensitive || field.Type is FieldType.MyNumber or FieldType.BankAccount;

    /// <summary>The answers to store in plain JSON and the sensitive answers (path → JSON text) to seal.</summary>
    public static (JsonObject Plain, List<(string Path, string Json)> Sealed) Split(FormDefinition form, JsonObject answers)
    {
        ArgumentNullException.ThrowIfNull(form);
        var plain = (JsonObject)answers.DeepClone();
        var sealedValues = new List<(string, string)>();
        foreach (var item in form.Pages.SelectMany(p => p.Items))
        {
            if (item is FormField f && IsSensitive(f) && plain[f.Key] is { } value)
            {
                sealedValues.Add((f.Key, value.ToJsonString()));
                plain[f.Key] = Masked(f, value);
            }
            else if (item is FormGroup g && plain[g.Key] is JsonArray rows)
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    if (rows[i] is not JsonObject row) continue;
                    foreach (var gf in g.Fields.Where(IsSensitive))
                    {
                        if (row[gf.Key] is not { } v) continue;
                        sealedValues.Add(($"{g.Key}[{i}].{gf.Key}", v.ToJsonString()));
                        row[gf.Key] = Masked(gf, v);
                    }
                }
            }
        }
        return (plain, sealedValues);
    }

    /// <summary>Puts sealed answers (path → JSON text) back into the answers, replacing their masks.</summary>
    public static JsonObject Merge(JsonObject plain, IReadOnlyDictionary<string, string> sealedValues)
    {
        ArgumentNullException.ThrowIfNull(plain);
        var answers = (JsonObject)plain.DeepClone();
        foreach (var (path, json) in sealedValues)
        {
            var value = JsonNode.Parse(json);
            var open = path.IndexOf('[', StringComparison.Ordinal);
            if (open < 0)
            {
                answers[path] = value;
                continue;
            }
            var group = path[..open];
            var close = path.IndexOf(']', open);
            if (close < 0 || !int.TryParse(path[(open + 1)..close], out var index)) continue;
            var key = path[(close + 2)..];
            if (answers[group] is JsonArray rows && index < rows.Count && rows[index] is JsonObject row) row[key] = value;
        }
        return answers;
    }

    private static JsonNode Masked(FormField field, JsonNode value)
        => field.Type == FieldType.MyNumber && value.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? JsonValue.Create(MyNumberField.Mask(value.GetValue<string>()))!
            : JsonValue.Create(Placeholder)!;
}
