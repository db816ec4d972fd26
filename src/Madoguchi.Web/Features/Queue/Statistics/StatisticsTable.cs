using System.Globalization;
using System.Text;
using Madoguchi.Web.Shared;

namespace Madoguchi.Web.Features.Queue.Statistics;

public sealed record StatisticsColumn(string Header, bool Numeric);

/// <summary>
/// The statistics as one table, shared by the page, its chart and the CSV download so all three
/// show the same numbers. Cells are a string (the row's label), int, or decimal? minutes (null: no value).
/// </summary>
public sealed record StatisticsTable(string Title, IReadOnlyList<StatisticsColumn> Columns, IReadOnlyList<object?[]> Rows)
{
    public const int Label = 0, Issued = 1, Served = 2, Done = 3, WaitMedian = 4, WaitP90 = 5, ServiceMedian = 6, ServiceP90 = 7, NoShows = 8, Transfers = 9, Kept = 10;

    public static string ByLabel(StatisticsBy by) => by switch
    {
        StatisticsBy.Day => "日別",
        StatisticsBy.Hour => "時間帯別",
        StatisticsBy.Service => "受付内容別",
        _ => "工程別",
    };

    public static StatisticsTable From(StatisticsResult r)
    {
        var first = r.By switch
        {
            StatisticsBy.Day => "日付",
            StatisticsBy.Hour => "時間帯",
            StatisticsBy.Service => "受付内容",
            _ => "受付内容・工程",
        };
        List<StatisticsColumn> columns =
        [
            new(first, false), new("発券数", true), new("対応件数（工程）", true), new("完了数", true),
            new("待ち時間 中央値（分）", true), new("待ち時間 90%点（分）", true),
            new("対応時間 中央値（分）", true), new("対応時間 90%点（分）", true),
            new("不在", true), new("回付", true),
        ];
        if (r.HasReservations) columns.Add(new("予約来庁", true));
        var byKey = r.Groups.ToDictionary(g => g.Key, g => g.Group);
        var rows = Keys(r, byKey.Keys).Select(k =>
        {
            var g = byKey.GetValueOrDefault(k) ?? new StatisticsGroup { ReservationsKept = r.HasReservations ? 0 : null };
            var cells = new List<object?>
            {
                RowLabel(r, k), g.Issued, g.Served, g.Done,
                QueueStatistics.Minutes(g.Waits.Percentile(50), r.Rounding), QueueStatistics.Minutes(g.Waits.Percentile(90), r.Rounding),
                QueueStatistics.Minutes(g.ServiceTimes.Percentile(50), r.Rounding), QueueStatistics.Minutes(g.ServiceTimes.Percentile(90), r.Rounding),
                g.NoShows, g.Transfers,
            };
            if (r.HasReservations) cells.Add(g.ReservationsKept ?? 0);
            return cells.ToArray();
        }).ToList();
        var title = $"{r.Office.Name} 窓口の統計（{ByLabel(r.By)}、{Iso(r.From)}〜{Iso(r.To)}）";
        return new StatisticsTable(title, columns, rows);
    }

    /// <summary>
    /// Every row the grouping has, data or not: each day of the period, each hour from the first to
    /// the last with data, each service (and step) of the office — a day without tickets shows as 0.
    /// </summary>
    private static IEnumerable<StatisticsKey> Keys(StatisticsResult r, IEnumerable<StatisticsKey> seen)
    {
        var present = seen.ToList();
        var services = r.ServiceOrder.Select(id => r.Services[id]).ToList();
        // A service deleted since keeps its rows (its measurements are real); it sorts last.
        var gone = present.Select(k => k.ServiceId).Distinct().Where(id => !r.Services.ContainsKey(id)).ToList();
        switch (r.By)
        {
            case StatisticsBy.Day:
                for (var d = r.From; d <= r.To; d = d.AddDays(1)) yield return new StatisticsKey(d, 0, Guid.Empty, 0);
                break;
            case StatisticsBy.Hour:
                if (present.Count == 0) yield break;
                for (var h = present.Min(k => k.Hour); h <= present.Max(k => k.Hour); h++) yield return new StatisticsKey(default, h, Guid.Empty, 0);
                break;
            case StatisticsBy.Service:
                foreach (var s in services) yield return new StatisticsKey(default, 0, s.Id, 0);
                foreach (var id in gone) yield return new StatisticsKey(default, 0, id, 0);
                break;
            default:
                foreach (var s in services)
                {
                    for (var i = 0; i < s.StepNames.Count; i++) yield return new StatisticsKey(default, 0, s.Id, i);
                }
                foreach (var k in present.Where(k => !r.Services.TryGetValue(k.ServiceId, out var s) || k.Step >= s.StepNames.Count).Distinct().OrderBy(k => k.Step))
                {
                    yield return k;
                }
                break;
        }
    }

    public static string RowLabel(StatisticsResult r, StatisticsKey k) => r.By switch
    {
        StatisticsBy.Day => Iso(k.Date),
        StatisticsBy.Hour => k.Hour.ToString(CultureInfo.InvariantCulture) + "時台",
        StatisticsBy.Service => ServiceName(r, k.ServiceId),
        _ => $"{ServiceName(r, k.ServiceId)}・{StepName(r, k)}",
    };

    private static string ServiceName(StatisticsResult r, Guid id) => r.Services.TryGetValue(id, out var s) ? s.Name : "（削除された受付内容）";

    private static string StepName(StatisticsResult r, StatisticsKey k)
        => r.Services.TryGetValue(k.ServiceId, out var s) && s.StepNames.ElementAtOrDefault(k.Step) is { } name ? name : $"工程{k.Step + 1}";

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A cell as the page shows it: counts with separators, minutes with one decimal, "—" for no value.</summary>
    public static string Display(object? cell) => cell switch
    {
        null => "—",
        int n => n.ToString("N0", CultureInfo.InvariantCulture),
        decimal d => d.ToString("0.0", CultureInfo.InvariantCulture),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>
    /// The CSV: UTF-8 with BOM (Excel opens it as UTF-8), CRLF, the page's headers, raw numbers, an
    /// empty cell for no value, and text cells that could start a formula neutralised (<see cref="CsvCell"/>).
    /// </summary>
    public byte[] ToCsv() => Csv(Columns.Select(c => c.Header), Rows);

    public static byte[] Csv(IEnumerable<string> headers, IEnumerable<object?[]> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', headers.Select(CsvCell.Escape))).Append("\r\n");
        foreach (var row in rows)
        {
            sb.Append(string.Join(',', row.Select(cell => cell switch
            {
                null => "",
                int n => n.ToString(CultureInfo.InvariantCulture),
                decimal d => d.ToString("0.0", CultureInfo.InvariantCulture),
                _ => CsvCell.Escape(Convert.ToString(cell, CultureInfo.InvariantCulture) ?? ""),
            }))).Append("\r\n");
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }
}
