using System.Collections.Concurrent;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>
/// 国民の祝日 computed from the rules of 国民の祝日に関する法律 (in force since 1948-07-20) and the
/// special laws that moved or added days. No list is downloaded: a year is computed once and cached.
/// Names follow the law; 内閣府's CSV labels 振替休日, 国民の休日 and the 2019 special days "休日".
/// 春分・秋分 use the usual approximation of the astronomical dates (exact for 1900–2099 against
/// 国立天文台's published dates). After 2150 the formula is not valid and those two days are left out:
/// 国立天文台 announces each year's dates in the February before.
/// </summary>
public static class JapaneseHolidays
{
    public const string SubstituteHoliday = "振替休日";
    public const string CitizensHoliday = "国民の休日";

    private static readonly DateOnly LawInForce = new(1948, 7, 20);
    private static readonly DateOnly SubstituteSince = new(1973, 4, 12);
    private static readonly DateOnly CitizensHolidaySince = new(1985, 12, 27);
    // From 2007 a 振替休日 moves to the next day that is not a 祝日 (before: always the Monday).
    private const int ChainedSubstituteSince = 2007;

    /// <summary>Days made holidays by special laws; they count as 国民の祝日 for 振替休日 and 国民の休日.</summary>
    private static readonly Dictionary<DateOnly, string> SpecialDays = new()
    {
        [new(1959, 4, 10)] = "結婚の儀",           // 皇太子明仁親王の結婚の儀
        [new(1989, 2, 24)] = "大喪の礼",           // 昭和天皇の大喪の礼
        [new(1990, 11, 12)] = "即位礼正殿の儀",
        [new(1993, 6, 9)] = "結婚の儀",            // 皇太子徳仁親王の結婚の儀
        // 2019-04-30 and 2019-05-02 follow from the 国民の休日 rule because 05-01 counts as a 祝日.
        [new(2019, 5, 1)] = "即位の日",
        [new(2019, 10, 22)] = "即位礼正殿の儀",
    };

    private static readonly ConcurrentDictionary<int, Year> Cache = new();

    private sealed record Year(IReadOnlyList<(DateOnly Date, string Name)> List, Dictionary<DateOnly, string> ByDate);

    /// <summary>The holiday's name (祝日, 振替休日, 国民の休日 or a special day), or null on an ordinary day.</summary>
    public static string? NameOf(DateOnly date) => Get(date.Year).ByDate.GetValueOrDefault(date);

    public static bool IsHoliday(DateOnly date) => NameOf(date) is not null;

    /// <summary>All holidays of the year in date order (empty before 1948).</summary>
    public static IReadOnlyList<(DateOnly Date, string Name)> InYear(int year) => Get(year).List;

    private static Year Get(int year) => Cache.GetOrAdd(year, Compute);

    private static Year Compute(int year)
    {
        var days = new Dictionary<DateOnly, string>();
        if (year >= LawInForce.Year && year <= DateOnly.MaxValue.Year)
        {
            var shukujitsu = Shukujitsu(year);
            foreach (var (d, n) in shukujitsu) days[d] = n;
            AddSubstitutes(year, shukujitsu, days);
            AddCitizensHolidays(year, shukujitsu, days);
        }
        var list = days.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)).ToList();
        return new Year(list, days);
    }

    /// <summary>The 国民の祝日 proper (Article 2) plus special-law days, without 振替休日/国民の休日.</summary>
    private static Dictionary<DateOnly, string> Shukujitsu(int y)
    {
        var h = new Dictionary<DateOnly, string>();
        void Add(int month, int day, string name)
        {
            var d = new DateOnly(y, month, day);
            if (d >= LawInForce) h[d] = name;
        }

        Add(1, 1, "元日");
        if (y <= 1999) Add(1, 15, "成人の日"); else AddNthMonday(h, y, 1, 2, "成人の日");
        if (y >= 1967) Add(2, 11, "建国記念の日");
        if (y >= 2020) Add(2, 23, "天皇誕生日");
        if (VernalEquinoxDay(y) is { } spring) Add(3, spring, "春分の日");
        if (y <= 1988) Add(4, 29, "天皇誕生日");
        else if (y <= 2006) Add(4, 29, "みどりの日");
        else Add(4, 29, "昭和の日");
        Add(5, 3, "憲法記念日");
        if (y >= 2007) Add(5, 4, "みどりの日");
        Add(5, 5, "こどもの日");
        // 2020 and 2021 moved 海の日, スポーツの日 and 山の日 for the Olympics (特措法); the usual dates were ordinary days.
        if (y == 2020) { Add(7, 23, "海の日"); Add(7, 24, "スポーツの日"); Add(8, 10, "山の日"); }
        else if (y == 2021) { Add(7, 22, "海の日"); Add(7, 23, "スポーツの日"); Add(8, 8, "山の日"); }
        else
        {
            if (y is >= 1996 and <= 2002) Add(7, 20, "海の日");
            else if (y >= 2003) AddNthMonday(h, y, 7, 3, "海の日");
            if (y >= 2016) Add(8, 11, "山の日");
            if (y is >= 1966 and <= 1999) Add(10, 10, "体育の日");
            else if (y is >= 2000 and <= 2019) AddNthMonday(h, y, 10, 2, "体育の日");
            else if (y >= 2022) AddNthMonday(h, y, 10, 2, "スポーツの日");
        }
        if (y is >= 1966 and <= 2002) Add(9, 15, "敬老の日");
        else if (y >= 2003) AddNthMonday(h, y, 9, 3, "敬老の日");
        if (AutumnalEquinoxDay(y) is { } autumn) Add(9, autumn, "秋分の日");
        Add(11, 3, "文化の日");
        Add(11, 23, "勤労感謝の日");
        if (y is >= 1989 and <= 2018) Add(12, 23, "天皇誕生日");
        foreach (var (d, n) in SpecialDays) if (d.Year == y) h[d] = n;
        return h;
    }

    private static void AddNthMonday(Dictionary<DateOnly, string> h, int y, int month, int nth, string name)
    {
        var first = new DateOnly(y, month, 1);
        var offset = ((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7;
        h[first.AddDays(offset + 7 * (nth - 1))] = name;
    }

    /// <summary>振替休日: a 祝日 on a Sunday (since 1973-04-12) gives the next non-祝日 day (the Monday before 2007).</summary>
    private static void AddSubstitutes(int y, Dictionary<DateOnly, string> shukujitsu, Dictionary<DateOnly, string> days)
    {
        foreach (var d in shukujitsu.Keys.Order())
        {
            if (d.DayOfWeek != DayOfWeek.Sunday || d < SubstituteSince) continue;
            var next = d.AddDays(1);
            if (y >= ChainedSubstituteSince)
            {
                while (shukujitsu.ContainsKey(next)) next = next.AddDays(1);
            }
            else if (shukujitsu.ContainsKey(next))
            {
                continue;
            }
            if (next.Year == y) days.TryAdd(next, SubstituteHoliday);
        }
    }

    /// <summary>
    /// 国民の休日 (since 1985-12-27): a day between two 祝日 that is not itself a 祝日. Before 2007 the
    /// law also excluded Sundays and 振替休日.
    /// </summary>
    private static void AddCitizensHolidays(int y, Dictionary<DateOnly, string> shukujitsu, Dictionary<DateOnly, string> days)
    {
        foreach (var before in shukujitsu.Keys.Order())
        {
            if (before.Year != y || (before.Month == 12 && before.Day >= 30)) continue;
            var d = before.AddDays(1);
            if (d < CitizensHolidaySince || shukujitsu.ContainsKey(d) || !shukujitsu.ContainsKey(d.AddDays(1))) continue;
            if (y < ChainedSubstituteSince && (d.DayOfWeek == DayOfWeek.Sunday || days.ContainsKey(d))) continue;
            days.TryAdd(d, CitizensHoliday);
        }
    }

    /// <summary>Day of March of 春分 by the common approximation; null outside 1900–2150 where it is not valid.</summary>
    public static int? VernalEquinoxDay(int year) => EquinoxDay(year, 20.8357m, 20.8431m, 21.8510m);

    /// <summary>Day of September of 秋分 by the same approximation.</summary>
    public static int? AutumnalEquinoxDay(int year) => EquinoxDay(year, 23.2588m, 23.2488m, 24.2488m);

    // Decimal arithmetic: the formula is defined on exact decimals, and a binary double could land
    // just below an integer and lose a day.
    private static int? EquinoxDay(int year, decimal before1980, decimal from1980, decimal from2100)
    {
        if (year is < 1900 or > 2150) return null;
        var years = year - 1980;
        if (year < 1980)
        {
            // (year − 1983) / 4 truncates toward zero, as C's int division the formula was published with.
            return (int)decimal.Floor(before1980 + 0.242194m * years - (year - 1983) / 4);
        }
        var constant = year < 2100 ? from1980 : from2100;
        return (int)decimal.Floor(constant + 0.242194m * years - years / 4);
    }
}
