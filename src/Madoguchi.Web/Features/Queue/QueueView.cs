using System.Globalization;
using Madoguchi.Web.Features.Queue.Live;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Web.Features.Queue;

/// <summary>How the public queue pages word names, times and waits in the reader's language.</summary>
public static class QueueView
{
    public static string Name(Lang l, string name, string nameEn) => l.Current == Language.En && nameEn.Length > 0 ? nameEn : name;

    /// <summary>The lang attribute for a municipal name: Japanese shown on an English page is marked as such.</summary>
    public static string? NameLang(Lang l, string nameEn) => l.Current == Language.En && nameEn.Length > 0 ? null : l.DataLang;

    /// <summary>"9:05:30" in Japan time, with the date in front when it is not today.</summary>
    public static string Time(Lang l, DateTimeOffset instant, TimeProvider clock)
    {
        var local = TimeZoneInfo.ConvertTime(instant, JapanTime.Zone);
        var time = local.ToString("H:mm:ss", CultureInfo.InvariantCulture);
        var date = DateOnly.FromDateTime(local.DateTime);
        if (date == JapanTime.Today(clock)) return time;
        return (l.Current == Language.En ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Wareki.Format(date)) + " " + time;
    }

    public static string Wait(Lang l, WaitRange range)
        => range.Low == range.High
            ? $"{range.Low}{l.Plain("queue.minutes")}"
            : $"{range.Low}{Dash(l)}{range.High}{l.Plain("queue.minutes")}";

    /// <summary>The template the page's script fills in when a new snapshot arrives ({low}, {high}).</summary>
    public static string WaitTemplate(Lang l) => "{low}" + Dash(l) + "{high}" + l.Plain("queue.minutes");

    private static string Dash(Lang l) => l.Current == Language.En ? "–" : "〜";

    public static string Counter(Lang l, string counter)
        => Announcement.CounterNumber(counter) is { } n
            ? (l.Current == Language.En ? $"Counter {n}" : $"{n}番窓口")
            : counter;
}
