using System.Globalization;
using System.Text.Json.Nodes;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// The answer mapping between two consecutive published versions: the publish check that every key
/// of the previous version is accounted for (kept with a compatible type, renamed or removed), and
/// the mapping itself, which carries a draft's answers and attachment paths onto the new version.
/// Pure functions over definitions; the draft side lives in Submissions.DraftService.
/// </summary>
public static class VersionChanges
{
    /// <summary>Where a key sits: a field (with its type) or a group, and the group holding a field.</summary>
    private sealed record Slot(FormField? Field, FormGroup? Group, string? InGroup, string Label);

    private static Dictionary<string, Slot> Slots(FormDefinition form)
    {
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        foreach (var item in form.Pages.SelectMany(p => p.Items))
        {
            if (item is FormField f) slots[f.Key] = new Slot(f, null, null, f.Label.Ja);
            if (item is not FormGroup g) continue;
            slots[g.Key] = new Slot(null, g, null, g.Label.Ja);
            foreach (var gf in g.Fields) slots[gf.Key] = new Slot(gf, null, g.Key, gf.Label.Ja);
        }
        return slots;
    }

    /// <summary>
    /// Types whose stored answers keep their shape and meaning under the other: the new version's rules
    /// then decide whether each answer still passes. Anything else must be declared removed (and added).
    /// </summary>
    public static bool Compatible(FieldType from, FieldType to) => from == to
        || (IsText(from) && IsText(to))
        || (from is FieldType.Select or FieldType.Radio && to is FieldType.Select or FieldType.Radio);

    private static bool IsText(FieldType t) => t is FieldType.Text or FieldType.LongText or FieldType.Address;

    /// <summary>
    /// Refusals for publishing <paramref name="next"/> after version <paramref name="previousNumber"/>
    /// (<paramref name="previous"/>), each naming the key and saying how to declare it. Empty when the
    /// answers of the previous version map onto the new one without anything being lost silently.
    /// </summary>
    public static IReadOnlyList<FormError> Check(FormDefinition? previous, int previousNumber, FormDefinition next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var errors = new List<FormError>();
        var changes = next.Changes;
        if (previous is null)
        {
            if (changes is not null)
            {
                errors.Add(new("$.changes", "初めて公開する定義なので、前の版からの変更（changes）は書けません。changes を外してください。"));
            }
            return errors;
        }
        var v = previousNumber.ToString(CultureInfo.InvariantCulture);
        if (changes is not null && changes.From != previousNumber)
        {
            errors.Add(new("$.changes.from", $"changes.from は {changes.From} ですが、公開中の最新の版は {v} です。版 {v} からの変更として renamed と removed を見直し、from を {v} にしてください。"));
            return errors;
        }
        var before = Slots(previous);
        var after = Slots(next);
        var map = new Mapping(changes);

        foreach (var r in changes?.Renamed ?? [])
        {
            var path = $"$.changes.renamed.{r.Old}";
            if (!before.ContainsKey(r.Old))
            {
                errors.Add(new(path, $"名前を変えた元の項目 '{r.Old}' は版 {v} にありません。版 {v} の key を書いてください（`./madoguchi form export SLUG --version {v}` で確かめられます）。"));
            }
            if (!after.ContainsKey(r.New))
            {
                errors.Add(new(path, $"'{r.Old}' の変更先 '{r.New}' はこの定義にありません。新しい項目の key を確かめてください。"));
            }
            else if (before.ContainsKey(r.New) && map.Target(r.New) == r.New)
            {
                errors.Add(new(path, $"変更先 '{r.New}' は版 {v} にもあり、そのまま残っています。2つの回答が1つの項目に重なるため、'{r.New}' も renamed か removed に書いてください。"));
            }
        }
        for (var i = 0; i < (changes?.Removed.Count ?? 0); i++)
        {
            var key = changes!.Removed[i];
            if (!before.ContainsKey(key))
            {
                errors.Add(new($"$.changes.removed[{i}]", $"削除した項目 '{key}' は版 {v} にありません。版 {v} の key を書いてください。"));
            }
        }

        foreach (var (key, slot) in before)
        {
            // Fields of a removed group go with it; a renamed group takes its fields along.
            if (slot.InGroup is { } g && map.Target(g) is null) continue;
            var target = map.Target(key);
            if (target is null) continue;
            var where = map.IsRenamed(key) ? $"$.changes.renamed.{key}" : "$.changes";
            if (!after.TryGetValue(target, out var now))
            {
                if (!map.IsRenamed(key))
                {
                    errors.Add(new(where, $"版 {v} の項目 '{key}'（{slot.Label}）がこの定義にありません。名前を変えたなら changes.renamed に {{\"{key}\": \"新しいkey\"}} を、" +
                                          $"削除したなら changes.removed に \"{key}\" を書いてください（下書きの回答が黙って失われないようにするためです）。"));
                }
                continue;
            }
            var shown = target == key ? $"'{key}'" : $"'{key}' → '{target}'";
            if ((slot.Group is null) != (now.Group is null))
            {
                errors.Add(new(where, $"{shown} は版 {v} で{(slot.Group is null ? "項目" : "繰り返しグループ")}でしたが、この定義では{(now.Group is null ? "項目" : "繰り返しグループ")}です。" +
                                      $"回答を引き継げないため、changes.removed に \"{key}\" を書いて新しい項目として扱ってください。"));
                continue;
            }
            var expectedGroup = slot.InGroup is null ? null : map.Target(slot.InGroup);
            if (expectedGroup != now.InGroup)
            {
                errors.Add(new(where, $"{shown} の置き場所が変わっています（{Place(slot.InGroup, v)} → {Place(now.InGroup, null)}）。グループの内外をまたいで回答は引き継げないため、" +
                                      $"changes.removed に \"{key}\" を書いて新しい項目として扱ってください。"));
                continue;
            }
            if (slot.Field is { } old && now.Field is { } field && !Compatible(old.Type, field.Type))
            {
                errors.Add(new(where, $"{shown} の種類が {FormParser.TypeName(old.Type)} から {FormParser.TypeName(field.Type)} に変わっています。今までの回答はこの種類に合わないため、" +
                                      $"changes.removed に \"{key}\" を書いて（同じ key のままなら新しい質問として）扱ってください。"));
            }
        }
        return errors;
    }

    private static string Place(string? group, string? version) => (group, version) switch
    {
        (null, null) => "グループの外",
        (null, _) => $"版 {version} ではグループの外",
        (_, null) => $"グループ '{group}'",
        _ => $"版 {version} ではグループ '{group}'",
    };

    /// <summary>The declared renames and removals of one version step.</summary>
    private sealed class Mapping(VersionChangeSet? changes)
    {
        private readonly Dictionary<string, string> _renamed = changes?.Renamed.ToDictionary(r => r.Old, r => r.New, StringComparer.Ordinal) ?? [];
        private readonly HashSet<string> _removed = new(changes?.Removed ?? [], StringComparer.Ordinal);

        /// <summary>The key an old key's answer goes to, or null when it is removed.</summary>
        public string? Target(string key) => _removed.Contains(key) ? null : _renamed.GetValueOrDefault(key, key);

        public bool IsRenamed(string key) => _renamed.ContainsKey(key);
    }

    /// <summary>
    /// A draft's answers of <paramref name="from"/> carried onto the next version <paramref name="to"/>:
    /// renamed keys moved (inside groups too), removed ones dropped, group items kept in their
    /// positions (so <c>group[i]</c> attachment paths stay right). Values are copied unchanged; the
    /// new version's rules judge them when the resident goes on.
    /// </summary>
    public static JsonObject Migrate(FormDefinition from, FormDefinition to, JsonObject answers)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(answers);
        var before = Slots(from);
        var after = Slots(to);
        var map = new Mapping(to.Changes);
        var result = new JsonObject();
        foreach (var (key, value) in answers)
        {
            if (value is null || Carry(before, after, map, key, null) is not { } target) continue;
            if (after[target].Group is null)
            {
                result[target] = value.DeepClone();
                continue;
            }
            if (value is not JsonArray items) continue;
            var moved = new JsonArray();
            foreach (var item in items)
            {
                var row = new JsonObject();
                if (item is JsonObject o)
                {
                    foreach (var (inner, v) in o)
                    {
                        if (v is not null && Carry(before, after, map, inner, key) is { } t) row[t] = v.DeepClone();
                    }
                }
                moved.Add(row);
            }
            result[target] = moved;
        }
        return result;
    }

    /// <summary>
    /// The new path of an answer path (<c>key</c> or <c>group[i].key</c>, as attachments are keyed),
    /// or null when its answer does not carry over.
    /// </summary>
    public static string? MapPath(FormDefinition from, FormDefinition to, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var before = Slots(from);
        var after = Slots(to);
        var map = new Mapping(to.Changes);
        var open = path.IndexOf('[', StringComparison.Ordinal);
        if (open < 0) return Carry(before, after, map, path, null);
        var close = path.IndexOf("].", open, StringComparison.Ordinal);
        if (close < 0) return null;
        var group = path[..open];
        var inner = path[(close + 2)..];
        if (Carry(before, after, map, group, null) is not { } g || after[g].Group is null) return null;
        return Carry(before, after, map, inner, group) is { } k ? $"{g}{path[open..(close + 2)]}{k}" : null;
    }

    /// <summary>
    /// Keys (fields and groups) of <paramref name="to"/> that no key of the earlier definition maps
    /// onto through the given chain of versions: new questions for a draft started on the first.
    /// </summary>
    public static ISet<string> Added(IReadOnlyList<FormDefinition> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var carried = new HashSet<string>(Slots(chain[0]).Keys, StringComparer.Ordinal);
        for (var i = 1; i < chain.Count; i++)
        {
            var before = Slots(chain[i - 1]);
            var after = Slots(chain[i]);
            var map = new Mapping(chain[i].Changes);
            carried = [.. carried.Select(k => Carry(before, after, map, k, before.TryGetValue(k, out var s) ? s.InGroup : null)).OfType<string>()];
        }
        return Slots(chain[^1]).Keys.Where(k => !carried.Contains(k)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Where each field of the chain's first version is in its last, through each version's changes in
    /// turn: paths are <c>key</c>, or <c>group.key</c> for a field of a repeatable group (as the ledger's
    /// columns name them); null when the answer was dropped on the way. Fields of the first version only.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> FieldPaths(IReadOnlyList<FormDefinition> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var paths = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var item in chain[0].Pages.SelectMany(p => p.Items))
        {
            if (item is FormField f) paths[f.Key] = f.Key;
            else if (item is FormGroup g)
            {
                foreach (var gf in g.Fields) paths[$"{g.Key}.{gf.Key}"] = $"{g.Key}.{gf.Key}";
            }
        }
        for (var i = 1; i < chain.Count; i++)
        {
            var before = Slots(chain[i - 1]);
            var after = Slots(chain[i]);
            var map = new Mapping(chain[i].Changes);
            foreach (var (first, path) in paths.ToList())
            {
                if (path is not null) paths[first] = Step(before, after, map, path);
            }
        }
        return paths;
    }

    private static string? Step(Dictionary<string, Slot> before, Dictionary<string, Slot> after, Mapping map, string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return Carry(before, after, map, path, null) is { } key && after[key].Field is not null ? key : null;
        var group = path[..dot];
        if (Carry(before, after, map, group, null) is not { } g || after[g].Group is null) return null;
        return Carry(before, after, map, path[(dot + 1)..], group) is { } inner ? $"{g}.{inner}" : null;
    }

    /// <summary>The key an old key's answer lands on (in the mapped group when inside one), or null.</summary>
    private static string? Carry(Dictionary<string, Slot> before, Dictionary<string, Slot> after, Mapping map, string key, string? group)
    {
        if (!before.TryGetValue(key, out var old) || old.InGroup != group) return null;
        if (group is not null && map.Target(group) is null) return null;
        if (map.Target(key) is not { } target || !after.TryGetValue(target, out var now)) return null;
        // Defensive: publishing refuses these, but an answer must never land in a slot of another shape.
        if ((old.Group is null) != (now.Group is null)) return null;
        if (now.InGroup != (group is null ? null : map.Target(group))) return null;
        if (old.Field is { } f && now.Field is { } n && !Compatible(f.Type, n.Type)) return null;
        return target;
    }
}
