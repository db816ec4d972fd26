using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Queue.Statistics;

/// <summary>
/// The period of the statistics and of the open-data history, read the same way on the staff page and
/// the open-data URL: 西暦 or 和暦 (2025-04-01, 2025/4/1, R7.4.1, 令和7年4月1日, full-width digits),
/// both ends included, at most <see cref="QueueStatistics.MaxDays"/> days.
/// </summary>
public static class StatisticsPeriod
{
    public sealed record Error(string Field, string Code, string Message);

    /// <summary>A missing end is <paramref name="defaultTo"/> (or the longest period from the start); a missing start makes the period <paramref name="defaultDays"/> days.</summary>
    public static (DateOnly From, DateOnly To, IReadOnlyList<Error> Errors) Parse(string? from, string? to, DateOnly defaultTo, int defaultDays)
    {
        var errors = new List<Error>();
        DateOnly? Read(string? text, string field, string what)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            var v = DateField.Validate(text);
            if (v.IsValid) return v.Value.Date;
            errors.Add(new(field, v.Error.Code, $"{what}「{text.Trim()}」: {v.Error.Message.Ja}"));
            return null;
        }
        var f = Read(from, "from", "期間の開始日");
        var t = Read(to, "to", "期間の終了日");
        var end = t ?? (f is { } start && start.AddDays(QueueStatistics.MaxDays - 1) < defaultTo ? start.AddDays(QueueStatistics.MaxDays - 1) : defaultTo);
        var begin = f ?? end.AddDays(-(defaultDays - 1));
        if (errors.Count == 0 && begin > end)
        {
            errors.Add(new("to", "period_reversed", $"期間の終了日 {Wareki.Format(end)}（{StatisticsTable.Iso(end)}）が開始日 {Wareki.Format(begin)}（{StatisticsTable.Iso(begin)}）より前です。開始日と終了日を入れ替えてください。"));
        }
        else if (errors.Count == 0 && end.DayNumber - begin.DayNumber + 1 > QueueStatistics.MaxDays)
        {
            errors.Add(new("to", "period_too_long", $"期間が{end.DayNumber - begin.DayNumber + 1}日あります。一度に集計できるのは{QueueStatistics.MaxDays}日までです。期間を分けて指定してください。"));
        }
        return (begin, end, errors);
    }
}
