using System.Globalization;

namespace Madoguchi.Web.Features.Exports;

public enum CellKind : byte { Empty, Text, Number, Date, DateTime, Boolean }

/// <summary>
/// One typed cell of an exported row: text, a number, a date (DateOnly), an instant (shown in Japan
/// time), a yes/no, or empty. A struct with implicit conversions, so a row is written as
/// <c>new ExportCell[] { "R7-0001", 300m, date, true, null }</c> without boxing every value.
/// </summary>
public readonly struct ExportCell
{
    private readonly string? _text;
    private readonly decimal _number;
    private readonly DateTime _time;

    private ExportCell(CellKind kind, string? text, decimal number, DateTime time)
    {
        Kind = kind;
        _text = text;
        _number = number;
        _time = time;
    }

    public CellKind Kind { get; }
    public string Text => _text ?? "";
    public decimal Number => _number;
    /// <summary>For dates and instants: the Japan wall-clock time (an instant is converted on creation).</summary>
    public DateTime JapanTime => _time;
    public bool Boolean => _number != 0;

    public static readonly ExportCell Empty;

    public static ExportCell FromText(string? value) => value is null ? Empty : new(CellKind.Text, value, 0, default);
    public static ExportCell FromNumber(decimal value) => new(CellKind.Number, null, value, default);
    public static ExportCell FromDate(DateOnly value) => new(CellKind.Date, null, 0, value.ToDateTime(TimeOnly.MinValue));
    public static ExportCell FromInstant(DateTimeOffset value)
        => new(CellKind.DateTime, null, 0, TimeZoneInfo.ConvertTime(value, Shared.Japanese.JapanTime.Zone).DateTime);
    public static ExportCell FromBoolean(bool value) => new(CellKind.Boolean, null, value ? 1 : 0, default);

    public static implicit operator ExportCell(string? value) => FromText(value);
    public static implicit operator ExportCell(int value) => FromNumber(value);
    public static implicit operator ExportCell(long value) => FromNumber(value);
    public static implicit operator ExportCell(decimal value) => FromNumber(value);
    public static implicit operator ExportCell(DateOnly value) => FromDate(value);
    public static implicit operator ExportCell(DateTimeOffset value) => FromInstant(value);
    public static implicit operator ExportCell(bool value) => FromBoolean(value);
    public static implicit operator ExportCell(int? value) => value is int v ? FromNumber(v) : Empty;
    public static implicit operator ExportCell(long? value) => value is long v ? FromNumber(v) : Empty;
    public static implicit operator ExportCell(decimal? value) => value is decimal v ? FromNumber(v) : Empty;
    public static implicit operator ExportCell(DateOnly? value) => value is DateOnly v ? FromDate(v) : Empty;
    public static implicit operator ExportCell(DateTimeOffset? value) => value is DateTimeOffset v ? FromInstant(v) : Empty;
    public static implicit operator ExportCell(bool? value) => value is bool v ? FromBoolean(v) : Empty;

    /// <summary>
    /// The cell as CSV text: dates as 2025-04-01, instants as 2025-04-01 09:30:00 (Japan time),
    /// yes/no as TRUE/FALSE (what Excel writes and reads back as a boolean). Not yet neutralised.
    /// </summary>
    public string ToCsvText() => Kind switch
    {
        CellKind.Text => _text!,
        CellKind.Number => _number.ToString(CultureInfo.InvariantCulture),
        CellKind.Date => _time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        CellKind.DateTime => _time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        CellKind.Boolean => _number != 0 ? "TRUE" : "FALSE",
        _ => "",
    };

    public override string ToString() => ToCsvText();
}
