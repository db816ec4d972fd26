using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Web.Features.Designer;

/// <summary>Where an item sits: its page, its place on the page, and its place inside a group (Sub).</summary>
public sealed record ItemRef(int Page, int Index, int? Sub = null)
{
    /// <summary>The JSON path the parser reports errors under.</summary>
    public string Path => $"$.pages[{Page}].items[{Index}]" + (Sub is int s ? $".fields[{s}]" : "");

    /// <summary>The position as a button value ("0:3" or "0:3:1").</summary>
    public string Value => $"{Page}:{Index}" + (Sub is int s ? $":{s}" : "");

    /// <summary>Element id of the item's row on the designer page.</summary>
    public string Anchor => $"item-{Page}-{Index}" + (Sub is int s ? $"-{s}" : "");
}

/// <summary>
/// The designer's edits as pure functions on an immutable definition. Each returns a new definition
/// (or null when the move is impossible); whether it is valid is left to <see cref="FormParser"/>.
/// </summary>
public static class DefinitionEdits
{
    public static FormItem? Get(FormDefinition d, ItemRef r)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(r);
        if (r.Page < 0 || r.Page >= d.Pages.Count) return null;
        var items = d.Pages[r.Page].Items;
        if (r.Index < 0 || r.Index >= items.Count) return null;
        if (r.Sub is not int s) return items[r.Index];
        return items[r.Index] is FormGroup g && s >= 0 && s < g.Fields.Count ? g.Fields[s] : null;
    }

    public static FormDefinition Replace(FormDefinition d, ItemRef r, FormItem item)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(r);
        if (r.Sub is int s)
        {
            var g = (FormGroup)d.Pages[r.Page].Items[r.Index];
            return WithItems(d, r.Page, SetAt(d.Pages[r.Page].Items, r.Index, g with { Fields = SetAt(g.Fields, s, (FormField)item) }));
        }
        return WithItems(d, r.Page, SetAt(d.Pages[r.Page].Items, r.Index, item));
    }

    /// <summary>Adds an item at the end of a page, or a field at the end of group <paramref name="group"/> on that page.</summary>
    public static (FormDefinition Definition, ItemRef At) Append(FormDefinition d, int page, int? group, FormItem item)
    {
        ArgumentNullException.ThrowIfNull(d);
        var items = d.Pages[page].Items;
        if (group is int gi)
        {
            var g = (FormGroup)items[gi];
            return (WithItems(d, page, SetAt(items, gi, g with { Fields = [.. g.Fields, (FormField)item] })), new ItemRef(page, gi, g.Fields.Count));
        }
        return (WithItems(d, page, [.. items, item]), new ItemRef(page, items.Count));
    }

    public static FormDefinition Remove(FormDefinition d, ItemRef r)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(r);
        var items = d.Pages[r.Page].Items;
        if (r.Sub is int s)
        {
            var g = (FormGroup)items[r.Index];
            return WithItems(d, r.Page, SetAt(items, r.Index, g with { Fields = [.. g.Fields.Where((_, i) => i != s)] }));
        }
        return WithItems(d, r.Page, [.. items.Where((_, i) => i != r.Index)]);
    }

    /// <summary>
    /// Moves an item one place up (-1) or down (+1). At the top or bottom of a page it moves to the end
    /// of the previous page or the start of the next one; a field in a group stays in its group.
    /// Null when there is nowhere to go.
    /// </summary>
    public static (FormDefinition Definition, ItemRef At)? Move(FormDefinition d, ItemRef r, int delta)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(r);
        var items = d.Pages[r.Page].Items;
        if (r.Sub is int s)
        {
            var g = (FormGroup)items[r.Index];
            var to = s + delta;
            if (to < 0 || to >= g.Fields.Count) return null;
            return (WithItems(d, r.Page, SetAt(items, r.Index, g with { Fields = Swap(g.Fields, s, to) })), r with { Sub = to });
        }
        var target = r.Index + delta;
        if (target >= 0 && target < items.Count) return (WithItems(d, r.Page, Swap(items, r.Index, target)), r with { Index = target });
        var otherPage = r.Page + delta;
        if (otherPage < 0 || otherPage >= d.Pages.Count) return null;
        var item = items[r.Index];
        var without = WithItems(d, r.Page, [.. items.Where((_, i) => i != r.Index)]);
        var other = without.Pages[otherPage].Items;
        return delta < 0
            ? (WithItems(without, otherPage, [.. other, item]), new ItemRef(otherPage, other.Count))
            : (WithItems(without, otherPage, [item, .. other]), new ItemRef(otherPage, 0));
    }

    public static FormDefinition? MovePage(FormDefinition d, int page, int delta)
    {
        ArgumentNullException.ThrowIfNull(d);
        var to = page + delta;
        return to < 0 || to >= d.Pages.Count ? null : d with { Pages = Swap(d.Pages, page, to) };
    }

    public static FormDefinition RemovePage(FormDefinition d, int page)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d with { Pages = [.. d.Pages.Where((_, i) => i != page)] };
    }

    public static FormDefinition ReplacePage(FormDefinition d, int page, FormPage value)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d with { Pages = SetAt(d.Pages, page, value) };
    }

    /// <summary>Answer keys an item holds (a group's key and its fields' keys), for recording removals.</summary>
    public static IEnumerable<string> KeysOf(FormItem item) => item switch
    {
        FormField f => [f.Key],
        FormGroup g => [g.Key, .. g.Fields.Select(f => f.Key)],
        _ => [],
    };

    /// <summary>A short name of an item for lists and summaries.</summary>
    public static string Name(FormItem item) => item switch
    {
        FormField f => f.Label.Ja,
        FormGroup g => g.Label.Ja,
        StaticText t => t.Heading?.Ja ?? Shorten(t.Text.Ja),
        FeeDisplay fee => fee.Label.Ja,
        _ => "",
    };

    private static string Shorten(string s) => s.Length <= 30 ? s : s[..30] + "…";

    private static FormDefinition WithItems(FormDefinition d, int page, IReadOnlyList<FormItem> items)
        => d with { Pages = SetAt(d.Pages, page, d.Pages[page] with { Items = items }) };

    private static List<T> SetAt<T>(IReadOnlyList<T> list, int index, T value)
    {
        var copy = list.ToList();
        copy[index] = value;
        return copy;
    }

    private static List<T> Swap<T>(IReadOnlyList<T> list, int a, int b)
    {
        var copy = list.ToList();
        (copy[a], copy[b]) = (copy[b], copy[a]);
        return copy;
    }
}
