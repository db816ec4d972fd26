using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// Japan time for business dates (DESIGN.md §3): "today", fiscal years, deadlines are all Asia/Tokyo,
/// whatever zone the server runs in. Always pass the injected <see cref="TimeProvider"/>.
/// </summary>
public static class JapanTime
{
    /// <summary>Asia/Tokyo; a fixed UTC+9 zone when the host has no time zone data (Japan has had no DST since 1951).</summary>
    public static TimeZoneInfo Zone { get; } = FindZone();

    /// <summary>The current instant as Japan local time (offset +09:00).</summary>
    public static DateTimeOffset Now(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone);
    }

    /// <summary>The same instant as Japan local time (offset +09:00), for output: storage keeps whatever offset it has.</summary>
    public static DateTimeOffset InJapan(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>Today's date in Japan.</summary>
    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(Now(clock).DateTime);

    /// <summary>The Japan date of an instant (e.g. when a submission arrived).</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>年度 (April–March), as the Western year it starts in: 2026-03-31 → 2025, 2026-04-01 → 2026.</summary>
    public static int FiscalYearOf(DateOnly date) => date.Month >= 4 ? date.Year : date.Year - 1;

    /// <summary>First and last day of a fiscal year (2025 → 2025-04-01 … 2026-03-31).</summary>
    public static (DateOnly First, DateOnly Last) FiscalYearRange(int fiscalYear)
        => (new DateOnly(fiscalYear, 4, 1), new DateOnly(fiscalYear + 1, 3, 31));

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Tokyo", TimeSpan.FromHours(9), "Japan Standard Time", "JST");
        }
    }
}

/// <summary>
/// Writes every instant in Japan time (…+09:00), whatever offset it was stored or computed with, so the
/// API, webhooks and the CLI's JSON all show times as DESIGN.md §3 promises. Reading accepts any offset.
/// </summary>
public sealed class JapanTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // ISO 8601 as System.Text.Json writes it (fractions only when there are any), offset always +09:00.
        writer.WriteStringValue(JapanTime.InJapan(value).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
    }
}
