namespace Madoguchi.Web.Features.Catalog;

/// <summary>Generates the demo inventory (helper C fills this in).</summary>
public static class DemoInventory
{
    public static List<Procedure> Create(DateTimeOffset now) => [];
}
