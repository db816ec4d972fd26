using System.CommandLine;

namespace Madoguchi.Cli;

internal static class KpiCommands
{
    public static Command Create() => new("kpi", "オンライン化の進捗 / online-ization KPIs");
}
