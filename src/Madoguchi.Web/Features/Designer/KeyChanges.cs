using System.Text.Json;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Web.Features.Designer;

/// <summary>
/// Answer keys renamed (old → new) or removed by the designer since the form was last published, so
/// a new version can declare them and answers of older versions can be mapped. Kept apart from the
/// definition format on purpose: the format's own "changes" declaration is another module's, and
/// <see cref="Against"/> gives exactly the {renamed, removed} pair it needs.
/// </summary>
public sealed record KeyChanges(IReadOnlyDictionary<string, string> Renamed, IReadOnlyList<string> Removed)
{
    public static readonly KeyChanges None = new(new Dictionary<string, string>(), []);

    public bool IsEmpty => Renamed.Count == 0 && Removed.Count == 0;

    private sealed record Stored(Dictionary<string, string>? Renamed, List<string>? Removed);

    public static KeyChanges Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return None;
        var s = JsonSerializer.Deserialize<Stored>(json, JsonOptions);
        return new(s?.Renamed ?? [], s?.Removed ?? []);
    }

    public string? ToJson() => IsEmpty ? null : JsonSerializer.Serialize(new Stored(new(Renamed, StringComparer.Ordinal), [.. Removed]), JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Records <paramref name="from"/> renamed to <paramref name="to"/>; a chain a→b→c stays a→c, and a→b→a cancels out.</summary>
    public KeyChanges Rename(string from, string to)
    {
        if (from == to) return this;
        var renamed = new Dictionary<string, string>(Renamed, StringComparer.Ordinal);
        var original = renamed.FirstOrDefault(r => r.Value == from).Key;
        if (original is not null)
        {
            if (original == to) renamed.Remove(original);
            else renamed[original] = to;
        }
        else renamed[from] = to;
        return new(renamed, [.. Removed.Where(k => k != to)]);
    }

    /// <summary>Records a key removed; removing a renamed key removes its original.</summary>
    public KeyChanges Remove(string key)
    {
        var renamed = new Dictionary<string, string>(Renamed, StringComparer.Ordinal);
        var original = renamed.FirstOrDefault(r => r.Value == key).Key;
        if (original is not null) renamed.Remove(original);
        var removed = Removed.ToList();
        var gone = original ?? key;
        if (!removed.Contains(gone)) removed.Add(gone);
        return new(renamed, removed);
    }

    /// <summary>
    /// The changes that matter between the published version and the working definition: renames whose
    /// old key is published and whose new key is in the working definition, removals of published keys
    /// no longer there. Entries made stale by a later publish (from the CLI too) drop out here.
    /// </summary>
    public KeyChanges Against(FormDefinition? published, FormDefinition working)
    {
        ArgumentNullException.ThrowIfNull(working);
        if (published is null) return None;
        var before = Keys(published);
        var now = Keys(working);
        var renamed = Renamed.Where(r => before.Contains(r.Key) && !now.Contains(r.Key) && now.Contains(r.Value) && !before.Contains(r.Value))
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        return new(renamed, [.. Removed.Where(k => before.Contains(k) && !now.Contains(k) && !renamed.ContainsKey(k))]);
    }

    /// <summary>Answer keys of a definition: fields and repeatable groups.</summary>
    public static HashSet<string> Keys(FormDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var keys = new HashSet<string>(d.AllFields.Select(f => f.Key), StringComparer.Ordinal);
        keys.UnionWith(d.Pages.SelectMany(p => p.Items).OfType<FormGroup>().Select(g => g.Key));
        return keys;
    }
}
