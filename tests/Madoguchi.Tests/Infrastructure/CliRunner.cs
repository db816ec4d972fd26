using Madoguchi.Cli;

namespace Madoguchi.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs `./madoguchi …` in process with its own stdout and stderr.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(TestDatabase db, params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        var exit = await CliApp.RunAsync(["--db", db.DbArgument, "--files", db.Storage.FilesFolder, .. args], outWriter, errWriter, TestContext.Current.CancellationToken);
        return new CliResult(exit, outWriter.ToString(), errWriter.ToString());
    }

    public static async Task<CliResult> RunRawAsync(params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        var exit = await CliApp.RunAsync(args, outWriter, errWriter, TestContext.Current.CancellationToken);
        return new CliResult(exit, outWriter.ToString(), errWriter.ToString());
    }
}

/// <summary>Where the shared test fixtures live (../shared/data from the repository root).</summary>
public static class Fixtures
{
    public static string DataFolder { get; } = Find();

    public static string Path(string name) => System.IO.Path.Combine(DataFolder, name);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "data");
            if (File.Exists(System.IO.Path.Combine(candidate, "inventory-koto-2025-03.csv"))) return System.IO.Path.GetFullPath(candidate);
        }
        throw new InvalidOperationException("../shared/data was not found above the test folder; clone the repository beside shared/.");
    }
}
