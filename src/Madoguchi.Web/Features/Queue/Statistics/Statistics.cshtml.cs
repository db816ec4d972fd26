using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Statistics;

/// <summary>
/// 窓口の統計 for staff: one office and period, grouped by day, hour, service or step, as charts and a
/// table, and the same table as CSV (handler=csv). No personal data (ticket events carry no names);
/// like the other queue staff pages it is not scoped to a department, since offices belong to none.
/// </summary>
[Authorize(Policy = Policies.QueueRead)]
public sealed class StatisticsModel(QueueStatistics statistics, MadoguchiDbContext db, TimeProvider clock) : PageModel
{
    public const int DefaultDays = 7;

    [BindProperty(SupportsGet = true, Name = "office")] public Guid? Office { get; set; }
    [BindProperty(SupportsGet = true, Name = "from")] public string? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "to")] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "by")] public string? By { get; set; }

    public List<Platform.Office> Offices { get; private set; } = [];
    public StatisticsBy Grouping { get; private set; } = StatisticsBy.Day;
    public DateOnly PeriodFrom { get; private set; }
    public DateOnly PeriodTo { get; private set; }
    public StatisticsResult? Result { get; private set; }
    public StatisticsTable? Table { get; private set; }

    public static readonly IReadOnlyList<(string Value, StatisticsBy By)> Groupings =
        [("day", StatisticsBy.Day), ("hour", StatisticsBy.Hour), ("service", StatisticsBy.Service), ("step", StatisticsBy.Step)];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!ModelState.IsValid || Table is null)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var name = $"queue-statistics-{Grouping.ToString().ToLowerInvariant()}-{StatisticsTable.Iso(PeriodFrom)}-{StatisticsTable.Iso(PeriodTo)}.csv";
        return File(Table.ToCsv(), "text/csv; charset=utf-8", name);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        // Offices that have a queue (services) are the ones with statistics.
        var withQueue = db.QueueServices.Select(s => s.OfficeId);
        Offices = await db.Offices.AsNoTracking().Where(o => withQueue.Contains(o.Id)).OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
        if (!string.IsNullOrEmpty(By))
        {
            var match = Groupings.FirstOrDefault(g => g.Value == By);
            if (match.Value is null) ModelState.AddModelError("by", $"集計の単位「{By}」は使えません。日別（day）、時間帯別（hour）、受付内容別（service）、工程別（step）から選んでください。");
            else Grouping = match.By;
        }
        var (from, to, errors) = StatisticsPeriod.Parse(From, To, JapanTime.Today(clock), DefaultDays);
        foreach (var e in errors) ModelState.AddModelError(e.Field, e.Message);
        (PeriodFrom, PeriodTo) = (from, to);
        var office = Office is { } id ? Offices.FirstOrDefault(o => o.Id == id) : Offices.FirstOrDefault();
        if (Office is not null && office is null) ModelState.AddModelError("office", "その庁舎・出張所には窓口の設定がありません。一覧から選んでください。");
        if (!ModelState.IsValid || office is null) return;
        Office = office.Id;
        Result = await statistics.ComputeAsync(office.Id, from, to, Grouping, ct);
        if (Result is not null) Table = StatisticsTable.From(Result);
    }

    public string Value(StatisticsBy by) => Groupings.First(g => g.By == by).Value;

    public string CsvHref => $"/staff/queue/statistics?handler=csv&office={Office}&from={StatisticsTable.Iso(PeriodFrom)}&to={StatisticsTable.Iso(PeriodTo)}&by={Value(Grouping)}";

    /// <summary>Bars of one column of the table, labelled as on the axis (days as 4/1, hours as 9).</summary>
    public IReadOnlyList<StatisticsChart.Bar> Bars(int column)
        => Table is null || Result is null ? [] : [.. Table.Rows.Select((row, i) => new StatisticsChart.Bar((string)row[0]!, ShortLabel((string)row[0]!), row[column] switch
        {
            int n => n,
            decimal d => d,
            _ => null,
        }))];

    private string ShortLabel(string label) => Grouping switch
    {
        StatisticsBy.Day when DateOnly.TryParseExact(label, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) => $"{d.Month}/{d.Day}",
        StatisticsBy.Hour => label.Replace("時台", "", StringComparison.Ordinal),
        _ => label,
    };
}
