using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;

namespace Madoguchi.Web.Features.Cases;

/// <summary>One column of a ledger: where its value comes from and the heading staff gave it.</summary>
public sealed record LedgerColumn([property: JsonPropertyName("source")] string Source, [property: JsonPropertyName("label")] string Label);

/// <summary>A column that can be added: its source, the heading it starts with, and where it comes from (form, group).</summary>
public sealed record ColumnChoice(string Source, string Label, string Origin);

/// <summary>
/// The columns of a procedure's ledger (LedgerSettings.ColumnsJson): built-in columns (受付番号, 受付日時,
/// 経路, 状態, 担当, 期限) and answers of the procedure's forms mapped to named, ordered columns, so that a
/// department sees its own 管理帳票 layout without re-keying. Sensitive answers (個人番号, bank
/// accounts, fields marked sensitive) are never columns: they stay on the case page with its own audit.
/// </summary>
public static class LedgerLayout
{
    public const string Receipt = "receipt";
    public const string Received = "received";
    public const string Channel = "channel";
    public const string Status = "status";
    public const string Assignee = "assignee";
    public const string Due = "due";
    public const int MaxLabelLength = 40;
    public const int MaxColumns = 30;
    private const string Answer = "answer:";

    public static IReadOnlyList<ColumnChoice> BuiltIn { get; } =
    [
        new(Receipt, "受付番号", "台帳"),
        new(Received, "受付日時", "台帳"),
        new(Channel, "経路", "台帳"),
        new(Status, "状態", "台帳"),
        new(Assignee, "担当", "台帳"),
        new(Due, "期限", "台帳"),
    ];

    public static bool IsBuiltIn(string source) => BuiltIn.Any(b => b.Source == source);

    /// <summary>
    /// Every column that can be chosen for these forms (the current version of each): built-ins, then
    /// each non-sensitive answer (top-level and in groups) with 氏名 split into 氏名 and フリガナ. A key that
    /// is sensitive in any of the forms is left out altogether.
    /// </summary>
    public static IReadOnlyList<ColumnChoice> Choices(IEnumerable<(string FormTitle, FormDefinition Definition)> forms)
    {
        var list = forms.ToList();
        var sensitive = list.SelectMany(f => Paths(f.Definition)).Where(p => SensitiveAnswers.IsSensitive(p.Field)).Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var choices = new List<ColumnChoice>(BuiltIn);
        var seen = new HashSet<string>(BuiltIn.Select(b => b.Source), StringComparer.Ordinal);
        foreach (var (title, definition) in list)
        {
            foreach (var (path, field, group) in Paths(definition))
            {
                if (sensitive.Contains(path) || field.Type is FieldType.File or FieldType.Consent) continue;
                var origin = group is null ? title : $"{title} ／ {group.Label.Ja}";
                void Add(string source, string label)
                {
                    if (seen.Add(source)) choices.Add(new ColumnChoice(source, label, origin));
                }
                Add(Answer + path, field.Label.Ja);
                if (field.Type == FieldType.Name)
                {
                    Add(Answer + path + ":name", $"{field.Label.Ja}（漢字）");
                    if (field.Settings.Kana != false) Add(Answer + path + ":kana", $"{field.Label.Ja}（フリガナ）");
                }
            }
        }
        return choices;
    }

    /// <summary>The columns when a procedure has set none: the built-ins and the first few answers (names without their kana).</summary>
    public static IReadOnlyList<LedgerColumn> Default(IReadOnlyList<ColumnChoice> choices)
    {
        var answers = choices.Where(c => !IsBuiltIn(c.Source) && !c.Source.EndsWith(":kana", StringComparison.Ordinal))
            // A whole name (with kana) is replaced by its 漢字 part when that exists.
            .Where(c => !choices.Any(o => o.Source == c.Source + ":name"))
            .Where(c => !c.Source.Contains('.', StringComparison.Ordinal))
            .Take(4);
        return [.. BuiltIn.Take(1).Select(Column), .. answers.Select(Column), .. BuiltIn.Skip(1).Select(Column)];
    }

    private static LedgerColumn Column(ColumnChoice c) => new(c.Source, c.Label.Replace("（漢字）", "", StringComparison.Ordinal));

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(IReadOnlyList<LedgerColumn> columns) => JsonSerializer.Serialize(columns, Json);

    /// <summary>
    /// The stored columns, or the default when none are stored. A stored column whose answer is no
    /// longer offered (the form dropped the field or made it sensitive) is left out, never shown.
    /// </summary>
    public static IReadOnlyList<LedgerColumn> FromSettings(string? json, IReadOnlyList<ColumnChoice> choices)
    {
        if (string.IsNullOrWhiteSpace(json)) return Default(choices);
        List<LedgerColumn>? stored;
        try
        {
            stored = JsonSerializer.Deserialize<List<LedgerColumn>>(json, Json);
        }
        catch (JsonException)
        {
            return Default(choices);
        }
        var offered = choices.Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        var columns = (stored ?? []).Where(c => c is { Source: not null, Label: not null } && offered.Contains(c.Source)).ToList();
        // The receipt number is the link to the case: a ledger always has it.
        if (!columns.Any(c => c.Source == Receipt)) columns.Insert(0, new LedgerColumn(Receipt, "受付番号"));
        return columns;
    }

    /// <summary>What is wrong with the columns (in Japanese, one message each), or nothing.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<LedgerColumn> columns, IReadOnlyList<ColumnChoice> choices, IEnumerable<FormDefinition> forms)
    {
        var errors = new List<string>();
        var offered = choices.ToDictionary(c => c.Source, StringComparer.Ordinal);
        var fields = forms.SelectMany(Paths).ToLookup(p => p.Path, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (c, i) in columns.Select((c, i) => (c, i + 1)))
        {
            if (!offered.ContainsKey(c.Source))
            {
                var path = c.Source.StartsWith(Answer, StringComparison.Ordinal) ? c.Source[Answer.Length..].Split(':')[0] : c.Source;
                errors.Add(fields[path].Select(p => p.Field).FirstOrDefault(SensitiveAnswers.IsSensitive) is { } f
                    ? $"{i}列目「{f.Label.Ja}」は機微情報（個人番号・口座など）のため台帳の列にできません。申請の詳細画面で確認してください。"
                    : $"{i}列目の項目 '{c.Source}' はこの手続のフォームにありません。一覧から選んでください。");
                continue;
            }
            if (!seen.Add(c.Source)) errors.Add($"{i}列目「{c.Label}」は既にある列と同じ項目です。同じ項目は1列にしてください。");
            var label = c.Label.Trim();
            if (label.Length == 0) errors.Add($"{i}列目の見出しが空です。見出しを入力してください。");
            else if (label.Length > MaxLabelLength) errors.Add($"{i}列目の見出しが長すぎます（{label.Length}文字）。{MaxLabelLength}文字以内にしてください。");
        }
        if (!columns.Any(c => c.Source == Receipt)) errors.Add("受付番号の列は外せません（申請の詳細画面へのリンクです）。");
        if (columns.Count > MaxColumns) errors.Add($"列が多すぎます（{columns.Count}列）。{MaxColumns}列以内にしてください。");
        return errors;
    }

    /// <summary>The cell of an answer column for one case, as staff read it (labels of options, 和暦 dates).</summary>
    public static string Cell(string source, FormDefinition definition, JsonObject answers)
    {
        if (!source.StartsWith(Answer, StringComparison.Ordinal)) return "";
        var spec = source[Answer.Length..];
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var part = colon < 0 ? null : spec[(colon + 1)..];
        var path = colon < 0 ? spec : spec[..colon];
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            var field = definition.Pages.SelectMany(p => p.Items).OfType<FormField>().FirstOrDefault(f => f.Key == path);
            return field is null || answers[path] is not { } node ? "" : Text(field, node, part);
        }
        var (groupKey, fieldKey) = (path[..dot], path[(dot + 1)..]);
        var group = definition.Pages.SelectMany(p => p.Items).OfType<FormGroup>().FirstOrDefault(g => g.Key == groupKey);
        var inner = group?.Fields.FirstOrDefault(f => f.Key == fieldKey);
        if (inner is null || answers[groupKey] is not JsonArray rows) return "";
        return string.Join("、", rows.OfType<JsonObject>().Select(r => r[fieldKey] is { } v ? Text(inner, v, part) : "").Where(t => t.Length > 0));
    }

    private static string Text(FormField field, JsonNode node, string? part)
    {
        // The version a case was filled in on may mark a field sensitive that the current one does not.
        if (SensitiveAnswers.IsSensitive(field)) return "（機微情報のため非表示）";
        if (field.Type == FieldType.Name && node is JsonObject name && part is "name" or "kana")
        {
            var (a, b) = part == "name" ? ("family", "given") : ("familyKana", "givenKana");
            return $"{Str(name[a])} {Str(name[b])}".Trim();
        }
        return SubmissionAnswers.Text(field, node);
    }

    private static string Str(JsonNode? node) => node is JsonValue v ? v.ToString() : "";

    private static IEnumerable<(string Path, FormField Field, FormGroup? Group)> Paths(FormDefinition definition)
    {
        foreach (var item in definition.Pages.SelectMany(p => p.Items))
        {
            if (item is FormField f) yield return (f.Key, f, null);
            else if (item is FormGroup g)
            {
                foreach (var gf in g.Fields) yield return ($"{g.Key}.{gf.Key}", gf, g);
            }
        }
    }
}
