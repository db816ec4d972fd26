using System.Text.Json;
using System.Text.Json.Serialization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

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
    /// longer offered is followed through <paramref name="histories"/> (each form's published versions,
    /// oldest first, up to the current one) when the form renamed its field since; otherwise (the form
    /// dropped the field or made it sensitive) it is left out, never shown.
    /// </summary>
    public static IReadOnlyList<LedgerColumn> FromSettings(string? json, IReadOnlyList<ColumnChoice> choices, IReadOnlyList<IReadOnlyList<FormDefinition>>? histories = null)
    {
        if (string.IsNullOrWhiteSpace(json) || Parse(json) is not { } stored) return Default(choices);
        var offered = choices.Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        var columns = new List<LedgerColumn>(stored.Count);
        foreach (var c in stored)
        {
            var source = offered.Contains(c.Source) ? c.Source : histories is null ? null : LedgerRenames.Follow(c.Source, histories);
            // A followed key may meet a column already there under its new key: one column per field.
            if (source is null || !offered.Contains(source) || columns.Any(x => x.Source == source)) continue;
            columns.Add(c with { Source = source });
        }
        // The receipt number is the link to the case: a ledger always has it.
        if (!columns.Any(c => c.Source == Receipt)) columns.Insert(0, new LedgerColumn(Receipt, "受付番号"));
        return columns;
    }

    /// <summary>The stored columns as written (entries without a source or heading left out), or null when the JSON is not a list of columns.</summary>
    internal static List<LedgerColumn>? Parse(string json)
    {
        try
        {
            return [.. (JsonSerializer.Deserialize<List<LedgerColumn?>>(json, Json) ?? []).Where(c => c is { Source: not null, Label: not null }).Select(c => c!)];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An answer column's field path (<c>key</c> or <c>group.key</c>) and the part after it (<c>:name</c>, <c>:kana</c> or ""); null for a built-in.</summary>
    internal static (string Path, string Part)? AnswerPath(string source)
    {
        if (!source.StartsWith(Answer, StringComparison.Ordinal)) return null;
        var spec = source[Answer.Length..];
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (spec, "") : (spec[..colon], spec[colon..]);
    }

    internal static string AnswerSource(string path, string part) => Answer + path + part;

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

/// <summary>
/// A ledger's answer columns compiled for one form version: each column's field is looked up in the
/// definition once, so a row's cells cost one read of its stored JSON and no search of the form. The
/// ledger page and exports of 300,000 rows read answers this way. Cells are the text staff read on
/// the case page (labels of options, 和暦 dates); built-in columns are not answers and read "".
/// </summary>
public sealed class AnswerColumns
{
    private const string Hidden = "（機微情報のため非表示）";
    private readonly Column?[] _columns;

    /// <param name="InnerKey">For a column of a repeatable group: the field's key in each row of the group.</param>
    /// <param name="Masked">The field is sensitive in the current version: whatever an older version called it, its answers are not shown.</param>
    private sealed record Column(string Key, FormField Field, string? Part, string? InnerKey, bool Masked);

    private AnswerColumns(Column?[] columns) => _columns = columns;

    public static AnswerColumns Compile(IReadOnlyList<LedgerColumn> columns, FormDefinition definition) => Compile(columns, [definition]);

    /// <summary>
    /// Compiles the columns, which name fields by their keys in the current version (the chain's last),
    /// for cases filled in on the chain's first version: each field is found under the key it had then,
    /// back through the renames each version declared (changes.renamed), so a renamed field's column
    /// holds the answers of every version.
    /// </summary>
    public static AnswerColumns Compile(IReadOnlyList<LedgerColumn> columns, IReadOnlyList<FormDefinition> chain)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(chain);
        var items = chain[0].Pages.SelectMany(p => p.Items).ToList();
        var current = chain.Count > 1 ? chain[^1].Pages.SelectMany(p => p.Items).ToList() : items;
        var forward = chain.Count > 1 ? VersionChanges.FieldPaths(chain) : null;
        var back = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (old, now) in forward ?? new Dictionary<string, string?>())
        {
            if (now is not null) back.TryAdd(now, old);
        }
        var compiled = new Column?[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            if (LedgerLayout.AnswerPath(columns[i].Source) is not { } answer) continue;
            var (path, part) = answer;
            // A path the current version does not reach from this one reads as named only when its answer
            // was dropped later (or the column is another form's): a renamed field's answer is the renamed column's.
            var own = forward is null ? path : back.TryGetValue(path, out var old) ? old : forward.TryGetValue(path, out var to) && to is null ? path : null;
            if (own is null || Find(items, own) is not { } found) continue;
            var masked = forward is not null && Find(current, path) is { } now && SensitiveAnswers.IsSensitive(now.Field);
            compiled[i] = new Column(found.Key, found.Field, part.Length == 0 ? null : part[1..], found.InnerKey, masked);
        }
        return new AnswerColumns(compiled);
    }

    /// <summary>The field at a path (<c>key</c> or <c>group.key</c>): the answer's key, the field and, in a group, the key in each row.</summary>
    private static (string Key, FormField Field, string? InnerKey)? Find(List<FormItem> items, string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return items.OfType<FormField>().FirstOrDefault(f => f.Key == path) is { } field ? (path, field, null) : null;
        var (groupKey, fieldKey) = (path[..dot], path[(dot + 1)..]);
        return items.OfType<FormGroup>().FirstOrDefault(g => g.Key == groupKey)?.Fields.FirstOrDefault(f => f.Key == fieldKey) is { } inner
            ? (groupKey, inner, fieldKey)
            : null;
    }

    /// <summary>The cell of column <paramref name="index"/> for a case's answers (the stored JSON object).</summary>
    public string Cell(int index, JsonElement answers)
    {
        if (_columns[index] is not { } c || answers.ValueKind != JsonValueKind.Object || !answers.TryGetProperty(c.Key, out var value)) return "";
        if (c.Masked) return Hidden;
        if (c.InnerKey is null) return value.ValueKind == JsonValueKind.Null ? "" : Text(c.Field, value, c.Part);
        if (value.ValueKind != JsonValueKind.Array) return "";
        // A group's answers in one cell, row by row: 「長男、長女」.
        List<string>? texts = null;
        foreach (var row in value.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object || !row.TryGetProperty(c.InnerKey, out var v) || v.ValueKind == JsonValueKind.Null) continue;
            var text = Text(c.Field, v, c.Part);
            if (text.Length > 0) (texts ??= []).Add(text);
        }
        return texts is null ? "" : string.Join("、", texts);
    }

    private static string Text(FormField field, JsonElement value, string? part)
    {
        // The version a case was filled in on may mark a field sensitive that the current one does not.
        if (SensitiveAnswers.IsSensitive(field)) return Hidden;
        if (field.Type == FieldType.Name && value.ValueKind == JsonValueKind.Object && part is "name" or "kana")
        {
            var (a, b) = part == "name" ? ("family", "given") : ("familyKana", "givenKana");
            return $"{SubmissionAnswers.Part(value, a)} {SubmissionAnswers.Part(value, b)}".Trim();
        }
        return SubmissionAnswers.Text(field, value);
    }
}

/// <summary>
/// Compiled <see cref="AnswerColumns"/> by form version, for one read of a ledger (a page, an export):
/// each version of the procedure's forms against that form's current version, so that cases on older
/// versions fill the columns of renamed fields too.
/// </summary>
public sealed class AnswerColumnsByVersion(MadoguchiDbContext db, LedgerProcedure procedure)
{
    private readonly Dictionary<Guid, AnswerColumns> _byVersion = [];

    /// <summary>Where each known version sits in its form's history.</summary>
    private readonly Dictionary<Guid, (LedgerFormHistory Form, int Index)> _known = procedure.History
        .SelectMany(h => h.Versions.Select((v, i) => (v.Id, Place: (h, i)))).ToDictionary(x => x.Id, x => x.Place);

    public async ValueTask<AnswerColumns> ForAsync(Guid versionId, CancellationToken ct)
    {
        if (_byVersion.TryGetValue(versionId, out var compiled)) return compiled;
        // From the case's version to its form's current one. A version published after the procedure was
        // loaded (the ledger page keeps it a while) is its form's newest: its keys are read as named.
        IReadOnlyList<FormDefinition> chain = _known.TryGetValue(versionId, out var at)
            ? [.. at.Form.Versions.Skip(at.Index).Select(v => v.Definition)]
            : [await PublishedDefinitions.GetAsync(db, versionId, ct)];
        compiled = AnswerColumns.Compile(procedure.Columns, chain);
        _byVersion[versionId] = compiled;
        return compiled;
    }

    /// <summary>
    /// Compiles every published version of the procedure's forms up front, for a read that cannot
    /// query meanwhile (a streamed export holds the connection's reader). A form never changes
    /// procedure, so these are all the versions the procedure's cases can be on.
    /// </summary>
    public async Task LoadProcedureAsync(CancellationToken ct)
    {
        var versions = await db.FormVersions.AsNoTracking()
            .Where(v => db.Forms.Any(f => f.Id == v.FormId && f.ProcedureId == procedure.Id)).Select(v => v.Id).ToListAsync(ct);
        foreach (var id in versions) await ForAsync(id, ct);
    }

    /// <summary>An already compiled version (see <see cref="LoadProcedureAsync"/>).</summary>
    public AnswerColumns For(Guid versionId) => _byVersion.TryGetValue(versionId, out var compiled)
        ? compiled
        : throw new InvalidOperationException($"フォームの版 {versionId} がこの手続のフォームにありません。台帳の書き出しを中止しました。");
}
