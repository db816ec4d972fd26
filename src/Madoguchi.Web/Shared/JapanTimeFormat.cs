namespace Madoguchi.Web.Shared;

/// <summary>Display helpers for pages: times in Japan time, whatever the server's zone.</summary>
public static class JapanTimeFormat
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    /// <summary>A percentage with its raw counts, e.g. "17.0%（26/153）", half-up from integers.</summary>
    public static string Rate(int part, int whole)
    {
        if (whole == 0) return "—";
        var tenths = ((long)part * 2000 + whole) / (2L * whole);
        return $"{tenths / 10}.{tenths % 10}%（{part:N0}/{whole:N0}）";
    }
}
