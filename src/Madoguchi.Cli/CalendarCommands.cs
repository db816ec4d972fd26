using System.CommandLine;

namespace Madoguchi.Cli;

internal static class CalendarCommands
{
    public static Command Create() => new("calendar", "業務カレンダー（閉庁日） / business calendar");
}
