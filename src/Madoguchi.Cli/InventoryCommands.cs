using System.CommandLine;

namespace Madoguchi.Cli;

internal static class InventoryCommands
{
    public static Command Create() => new("inventory", "手続棚卸 / procedure inventory");
}
