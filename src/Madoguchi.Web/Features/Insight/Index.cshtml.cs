using Madoguchi.Web.Shared.Japanese;
using System.Globalization;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Insight;

/// <summary>The public dashboard: headline rate, then a chart and its table per view. Open data, no sign-in.</summary>
[AllowAnonymous]
public sealed class IndexModel(OnlineKpiService kpi) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "asOf")] public string? AsOf { get; set; }
    [BindProperty(SupportsGet = true, Name = "rounding")] public string? Rounding { get; set; }
    [BindProperty(SupportsGet = true, Name = "year")] public string? Year { get; set; }

    public DateOnly Date { get; private set; }
    public OnlineKpi Online { get; private set; } = default!;
    public DepartmentKpi Departments { get; private set; } = default!;
    public TrendKpi Trend { get; private set; } = default!;
    public UsageKpi Usage { get; private set; } = default!;
    /// <summary>The plan year whose tools are charted: the one chosen, else the fiscal year of the date.</summary>
    public int ToolYear { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var errors = new List<KpiError>();
        var p = KpiParameters.Parse(AsOf, Rounding, errors);
        int? year = null;
        if (!string.IsNullOrEmpty(Year))
        {
            if (int.TryParse(Year, NumberStyles.None, CultureInfo.InvariantCulture, out var y)) year = y;
            else errors.Add(new("year", "invalid_fiscal_year", $"計画年度 '{Year}' は使えません。一覧から選んでください。"));
        }
        foreach (var e in errors) ModelState.AddModelError(e.Field, e.Message);
        // An invalid field falls back to its default, so the page still shows figures under the error summary.
        var asOf = p?.AsOf ?? (errors.Any(e => e.Field == "asOf") ? null : KpiParameters.ParseAsOf(AsOf, []));
        var rounding = p?.Rounding ?? Percent.ParseName(Rounding);
        Date = asOf ?? kpi.Today;
        Online = await kpi.OnlineAsync(Date, rounding, ct);
        Departments = await kpi.DepartmentsAsync(Date, rounding, ct);
        Trend = await kpi.TrendAsync(Date, rounding, KpiParameters.DefaultMonths, ct);
        Usage = await kpi.UsageAsync(Date, rounding, null, 0, 1, ct);
        ToolYear = year ?? PlanBuckets.Of(JapanTime.FiscalYearOf(Date));
    }

    /// <summary>The CSV link of a table, for the figures shown.</summary>
    public string CsvHref(string table)
    {
        var q = $"?asOf={OnlineKpiService.Iso(Date)}";
        if (Percent.ParseName(Rounding) is { } r) q += "&rounding=" + Percent.Name(r);
        if (table == "tools") q += "&year=" + ToolYear.ToString(CultureInfo.InvariantCulture);
        return $"/kpi/csv/{table}{q}";
    }

    public string PlanYearLabel(PlanYearProgress y, bool english) => english ? PlanBuckets.LabelEn(y.FiscalYear) : y.Label;
}
