using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Shared.Japanese;

public enum ClosedDayKind { Weekend, Holiday, YearEnd, Closure }

/// <summary>A day the municipality's offices are closed, with the reason shown to staff and residents.</summary>
public sealed record ClosedDay(DateOnly Date, string Name, ClosedDayKind Kind);

/// <summary>
/// The municipality's calendar: closed on weekends, national holidays, 12/29–1/3 (年末年始, the
/// 行政機関の休日) and the closures it adds. Everything else is a business day (開庁日).
/// Immutable; build one per request from <see cref="BusinessCalendarService.LoadAsync"/>.
/// </summary>
public sealed class BusinessCalendar
{
    public const string YearEnd = "年末年始";

    private readonly Dictionary<DateOnly, string> _closures;

    public BusinessCalendar(IEnumerable<Closure> closures)
    {
        ArgumentNullException.ThrowIfNull(closures);
        _closures = closures.ToDictionary(c => c.Date, c => c.Reason);
    }

    /// <summary>Weekends, holidays and 年末年始 only: for a municipality without closures, and for tests.</summary>
    public static BusinessCalendar Standard { get; } = new([]);

    public bool IsClosed(DateOnly date) => Classify(date) is not null;

    public bool IsOpen(DateOnly date) => !IsClosed(date);

    /// <summary>
    /// Why the offices are closed ("土曜日", "春分の日", "年末年始", a closure's reason), or null on a
    /// business day. A day with several reasons shows the most specific to residents: the holiday's
    /// name, then 年末年始, then the municipality's own reason, then the day of the week.
    /// </summary>
    public string? ClosedReason(DateOnly date) => Classify(date)?.Name;

    /// <summary>Same as <see cref="ClosedReason"/>, with the kind of reason.</summary>
    public ClosedDay? Classify(DateOnly date)
    {
        if (JapaneseHolidays.NameOf(date) is { } holiday) return new(date, holiday, ClosedDayKind.Holiday);
        if (IsYearEnd(date)) return new(date, YearEnd, ClosedDayKind.YearEnd);
        if (_closures.TryGetValue(date, out var reason)) return new(date, reason, ClosedDayKind.Closure);
        return date.DayOfWeek switch
        {
            DayOfWeek.Saturday => new(date, "土曜日", ClosedDayKind.Weekend),
            DayOfWeek.Sunday => new(date, "日曜日", ClosedDayKind.Weekend),
            _ => null,
        };
    }

    public static bool IsYearEnd(DateOnly date)
        => (date.Month == 12 && date.Day >= 29) || (date.Month == 1 && date.Day <= 3);

    /// <summary>
    /// The closed days of a calendar year other than ordinary weekends: holidays, 年末年始 and
    /// closures (a holiday or closure on a weekend is listed), in date order.
    /// </summary>
    public IReadOnlyList<ClosedDay> ClosedDaysInYear(int year)
    {
        var list = new List<ClosedDay>();
        for (var d = new DateOnly(year, 1, 1); d.Year == year; d = d.AddDays(1))
        {
            if (Classify(d) is { Kind: not ClosedDayKind.Weekend } c) list.Add(c);
            if (d == DateOnly.MaxValue) break;
        }
        return list;
    }

    /// <summary>The first business day strictly after <paramref name="date"/>.</summary>
    public DateOnly NextBusinessDay(DateOnly date)
    {
        var d = date.AddDays(1);
        while (IsClosed(d)) d = d.AddDays(1);
        return d;
    }

    /// <summary>The last business day strictly before <paramref name="date"/>.</summary>
    public DateOnly PreviousBusinessDay(DateOnly date)
    {
        var d = date.AddDays(-1);
        while (IsClosed(d)) d = d.AddDays(-1);
        return d;
    }

    /// <summary>
    /// 標準処理期間 and similar deadlines: the <paramref name="days"/>-th business day after
    /// <paramref name="date"/>. The starting day itself never counts (初日不算入, 民法140条), whether it
    /// is open or not: received on Friday 2026-12-25, 3 business days → 2027-01-05 (12-28, 01-04, 01-05). With 0 the answer is
    /// the date itself when it is a business day, else the next business day (a deadline that falls on
    /// a closed day moves forward). A negative count goes back that many business days.
    /// </summary>
    public DateOnly AddBusinessDays(DateOnly date, int days)
    {
        if (days == 0) return IsClosed(date) ? NextBusinessDay(date) : date;
        var d = date;
        if (days > 0)
        {
            for (var i = 0; i < days; i++) d = NextBusinessDay(d);
        }
        else
        {
            for (var i = 0; i > days; i--) d = PreviousBusinessDay(d);
        }
        return d;
    }

    /// <summary>
    /// Business days d with <paramref name="from"/> &lt; d ≤ <paramref name="to"/> (negative when
    /// <paramref name="to"/> is earlier), so that AddBusinessDays(from, BusinessDaysBetween(from, to))
    /// == to whenever <paramref name="to"/> is a business day after <paramref name="from"/>.
    /// </summary>
    public int BusinessDaysBetween(DateOnly from, DateOnly to)
    {
        if (to < from) return -BusinessDaysBetween(to, from);
        var count = 0;
        for (var d = from; d < to;)
        {
            d = d.AddDays(1);
            if (IsOpen(d)) count++;
        }
        return count;
    }
}

/// <summary>
/// The calendar with this municipality's closures, and Japan's "today". Adding or removing a closure
/// here drops this process's <see cref="BusinessCalendarCache"/> (null where there is none, e.g. in tests).
/// </summary>
public sealed class BusinessCalendarService(MadoguchiDbContext db, TimeProvider clock, BusinessCalendarCache? cache = null)
{
    public const int MaxReasonLength = 100;

    /// <summary>Today in Japan (Asia/Tokyo), from the injected clock.</summary>
    public DateOnly Today => JapanTime.Today(clock);

    public Task<BusinessCalendar> LoadAsync(CancellationToken ct = default) => LoadAsync(db, ct);

    /// <summary>The calendar as <paramref name="context"/> sees the closures now (in its transaction, if it has one).</summary>
    public static async Task<BusinessCalendar> LoadAsync(MadoguchiDbContext context, CancellationToken ct)
        => new(await context.Closures.AsNoTracking().ToListAsync(ct));

    public async Task<IReadOnlyList<Closure>> ClosuresAsync(CancellationToken ct = default)
        => await db.Closures.AsNoTracking().OrderBy(c => c.Date).ToListAsync(ct);

    /// <summary>Adds a closure; refuses an empty reason and a date that already has one (ArgumentException, Japanese message).</summary>
    public async Task<Closure> AddClosureAsync(DateOnly date, string? reason, CancellationToken ct = default)
    {
        var text = reason?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new ArgumentException("閉庁の理由が空です。住民に表示する理由を入力してください（例: システム更新）。");
        }
        if (text.Length > MaxReasonLength)
        {
            throw new ArgumentException($"閉庁の理由が長すぎます（{text.Length}文字）。{MaxReasonLength}文字以内にしてください。");
        }
        var existing = await db.Closures.AsNoTracking().FirstOrDefaultAsync(c => c.Date == date, ct);
        if (existing is not null) throw new ArgumentException(DuplicateMessage(date, existing.Reason));
        var closure = new Closure { Date = date, Reason = text };
        db.Closures.Add(closure);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another writer added the same date between the check and the insert; the key refused it.
            db.Entry(closure).State = EntityState.Detached;
            throw new ArgumentException(DuplicateMessage(date, null));
        }
        cache?.Invalidate();
        return closure;
    }

    /// <summary>Removes the closure on a date; false when there was none.</summary>
    public async Task<bool> RemoveClosureAsync(DateOnly date, CancellationToken ct = default)
    {
        var removed = await db.Closures.Where(c => c.Date == date).ExecuteDeleteAsync(ct) > 0;
        if (removed) cache?.Invalidate();
        return removed;
    }

    private static string DuplicateMessage(DateOnly date, string? existing)
        => $"{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} には既に閉庁日が登録されています" + (existing is null ? "" : $"（理由: {existing}）") +
           "。理由を変えるには、先に削除してから登録し直してください。";
}

/// <summary>
/// The calendar kept in memory for the submission path (one per process): every new case's due date
/// needs it, and closures change a few times a year. Loaded on first use and again after
/// <see cref="BusinessCalendarService"/> in this process adds or removes a closure. Another process
/// cannot clear it — a second app instance on PostgreSQL, or the CLI (`calendar closures add`) — so
/// it also expires <see cref="MaxAge"/> after loading: a closure added there counts for new cases
/// within a minute.
/// </summary>
public sealed class BusinessCalendarCache(TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private sealed record Loaded(BusinessCalendar Calendar, long At, long Generation);

    private Loaded? _loaded;
    private long _generation;

    /// <summary>The cached calendar, or the closures read through <paramref name="db"/> when it is missing, dropped or too old.</summary>
    public async Task<BusinessCalendar> GetAsync(MadoguchiDbContext db, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        if (Volatile.Read(ref _loaded) is { } l && l.Generation == generation && clock.GetElapsedTime(l.At) < MaxAge) return l.Calendar;
        var at = clock.GetTimestamp();
        var calendar = await BusinessCalendarService.LoadAsync(db, ct);
        // Tagged with the generation read before loading: a change made meanwhile makes the next call load again.
        Volatile.Write(ref _loaded, new Loaded(calendar, at, generation));
        return calendar;
    }

    /// <summary>Closures changed: the next <see cref="GetAsync"/> reads them again.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);
}
