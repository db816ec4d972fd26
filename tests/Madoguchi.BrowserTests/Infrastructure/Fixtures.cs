using System.Text;

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>Where the shared test fixtures live (../shared/data from the repository root); never copied into the repository.</summary>
public static class Fixtures
{
    public const string KotoInventory = "inventory-koto-2025-03.csv";

    public static string DataFolder { get; } = Find();

    public static string Path(string name) => System.IO.Path.Combine(DataFolder, name);

    /// <summary>The header and the first <paramref name="rows"/> rows of a fixture, written to <paramref name="folder"/>.</summary>
    public static string Head(string name, int rows, string folder)
    {
        var target = System.IO.Path.Combine(folder, $"head-{rows}-{name}");
        File.WriteAllLines(target, File.ReadLines(Path(name), Encoding.UTF8).Take(rows + 1), new UTF8Encoding(true));
        return target;
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "data");
            if (File.Exists(System.IO.Path.Combine(candidate, KotoInventory))) return System.IO.Path.GetFullPath(candidate);
        }
        throw new InvalidOperationException("../shared/data was not found above the test folder; clone the repository beside shared/.");
    }
}
