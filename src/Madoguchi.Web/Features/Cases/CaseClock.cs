using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The 標準処理期間 clock of a case, in business days of the municipality's calendar. It starts the
/// day after receipt (初日不算入, as <see cref="BusinessCalendar.AddBusinessDays"/>), stops while a
/// 補正 waits for the applicant (行政手続法 §7: the time the applicant takes to correct does not
/// count), and moves the due date later by the business days it was stopped.
/// </summary>
public static class CaseClock
{
    /// <summary>The due date of a case received on <paramref name="receivedOn"/>; null without a 標準処理期間.</summary>
    public static DateOnly? DueOn(BusinessCalendar calendar, DateOnly receivedOn, int? standardDays)
        => standardDays is int days && days > 0 ? calendar.AddBusinessDays(receivedOn, days) : null;

    /// <summary>Stops the clock today (a 補正依頼 went out); a clock already stopped stays stopped since its first day.</summary>
    public static void Stop(Case c, DateOnly today) => c.ClockStoppedOn ??= today;

    /// <summary>
    /// Restarts the clock today (the applicant answered): the business days after the stop day up to
    /// and including today were the applicant's, so the due date moves by that many business days.
    /// </summary>
    public static void Resume(Case c, BusinessCalendar calendar, DateOnly today)
    {
        if (c.ClockStoppedOn is not { } stopped) return;
        var paused = calendar.BusinessDaysBetween(stopped, today);
        if (c.DueOn is { } due && paused > 0) c.DueOn = calendar.AddBusinessDays(due, paused);
        c.ClockStoppedOn = null;
    }

    /// <summary>Past its due date, still open and not waiting for the applicant.</summary>
    public static bool IsOverdue(Case c, DateOnly today) => c.ClosedAt is null && c.ClockStoppedOn is null && c.DueOn is { } due && due < today;
}
