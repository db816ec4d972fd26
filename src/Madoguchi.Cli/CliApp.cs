using System.CommandLine;
using System.Text;

namespace Madoguchi.Cli;

/// <summary>The command tree; tests call <see cref="RunAsync"/> in process with their own writers.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken ct = default)
    {
        // Code page 932 (Shift_JIS) is needed for inventory files and exports.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        if (stdout is null) Console.OutputEncoding = new UTF8Encoding(false);
        Cli.Out.Value = stdout;
        Cli.Err.Value = stderr;
        var root = new RootCommand("Madoguchi (窓口) — 自治体の手続を端から端までデジタルで。 / run a municipality's procedures digitally.");
        root.Options.Add(Cli.DbOption);
        root.Options.Add(Cli.FilesOption);
        root.Options.Add(Cli.KeysOption);
        root.Subcommands.Add(DbCommands.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DemoCommands.Create());
        root.Subcommands.Add(MunicipalityCommands.Create());
        root.Subcommands.Add(UserCommands.Create());
        root.Subcommands.Add(TokenCommands.Create());
        root.Subcommands.Add(InventoryCommands.Create());
        root.Subcommands.Add(KpiCommands.Create());
        root.Subcommands.Add(CalendarCommands.Create());
        root.Subcommands.Add(PostcodeCommands.Create());
        root.Subcommands.Add(FormCommands.Create());
        root.Subcommands.Add(KeyCommands.Create());
        root.Subcommands.Add(BackupCommands.Create());
        root.Subcommands.Add(BackupCommands.CreateRestore());
        root.Subcommands.Add(AuditCommands.Create());
        root.Subcommands.Add(RetentionCommands.Create());
        root.Subcommands.Add(KioskCommands.Create());
        root.Subcommands.Add(QueueCommands.Create());
        var config = new InvocationConfiguration
        {
            Output = stdout ?? Console.Out,
            Error = stderr ?? Console.Error,
        };
        return await root.Parse(args).InvokeAsync(config, ct);
    }
}
