using Madoguchi.Web.Features.Designer;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Tests.Features.Designer;

public sealed class DefinitionEditsTests
{
    private static FormDefinition Definition() => FormService.Definition(DesignerKit.FormJson);

    [Fact]
    public void Moving_past_the_top_of_a_page_goes_to_the_end_of_the_previous_one()
    {
        var moved = DefinitionEdits.Move(Definition(), new ItemRef(1, 0), -1)!.Value;

        Assert.Equal(new ItemRef(0, 3), moved.At);
        Assert.Equal(["fullName", "reason", "reasonOther", "children"], DesignerKit.Keys(moved.Definition.Pages[0]));
        Assert.Equal(["fee"], DesignerKit.Keys(moved.Definition.Pages[1]));
    }

    [Fact]
    public void Nothing_moves_beyond_the_first_or_last_place()
    {
        var d = Definition();
        Assert.Null(DefinitionEdits.Move(d, new ItemRef(0, 0), -1));
        Assert.Null(DefinitionEdits.Move(d, new ItemRef(1, 1), 1));
        Assert.Null(DefinitionEdits.Move(d, new ItemRef(1, 0, 1), 1));
        Assert.Null(DefinitionEdits.MovePage(d, 0, -1));
    }

    [Fact]
    public void Renames_chain_and_cancel_and_removals_name_the_published_key()
    {
        var k = KeyChanges.None.Rename("a", "b").Rename("b", "c");
        Assert.Equal("c", k.Renamed["a"]);
        Assert.True(k.Rename("c", "a").IsEmpty);
        var removed = k.Remove("c");
        Assert.Empty(removed.Renamed);
        Assert.Equal(["a"], removed.Removed);
        Assert.Equal(["a"], KeyChanges.Parse(removed.ToJson()).Removed);
        Assert.Equal("c", KeyChanges.Parse(k.ToJson()).Renamed["a"]);
        Assert.Null(KeyChanges.None.ToJson());
    }

    [Fact]
    public void Only_changes_against_the_published_version_are_declared()
    {
        var published = Definition();
        var working = DefinitionEdits.Remove(published, new ItemRef(0, 2));
        var changes = KeyChanges.None.Remove("reasonOther").Remove("neverPublished").Rename("fullName", "x");

        var declared = changes.Against(published, working);

        Assert.Equal(["reasonOther"], declared.Removed);
        // "x" is not in the working definition (the rename was undone elsewhere), so it is not declared.
        Assert.Empty(declared.Renamed);
        Assert.True(changes.Against(null, working).IsEmpty);
    }
}
