namespace Madoguchi.Web.Shared;

/// <summary>Writing one CSV cell safely: every CSV Madoguchi produces (exports, KPI tables) goes through here.</summary>
public static class CsvCell
{
    /// <summary>A cell starting with = + - @ (or tab/CR) would run as a formula in a spreadsheet: prefix an apostrophe.</summary>
    public static string Neutralize(string cell) => cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell;

    /// <summary>Neutralised, then quoted per RFC 4180 when it holds a comma, quote, line break or edge spaces.</summary>
    public static string Escape(string cell)
    {
        var s = Neutralize(cell);
        return s.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (s.Length > 0 && (s[0] == ' ' || s[^1] == ' '))
            ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : s;
    }
}
