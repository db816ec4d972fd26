using System.Text;

namespace Madoguchi.Web.Features.Insight;

/// <summary>
/// Online-ization KPIs: the JSON API under /api/v1/kpi, the dashboard at /kpi and its CSV
/// downloads. All of it is open data (no personal data), so every endpoint is anonymous.
/// </summary>
public static class InsightModule
{
    public static readonly IReadOnlyList<string> Reports = ["online", "departments", "trend", "usage"];

    public static WebApplicationBuilder AddInsight(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<OnlineKpiService>();
        return builder;
    }

    public static WebApplication MapInsight(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/kpi").AllowAnonymous();
        foreach (var report in Reports)
        {
            api.MapGet("/" + report, async (HttpRequest request, OnlineKpiService kpi, CancellationToken ct) =>
            {
                var errors = new List<KpiError>();
                var q = request.Query;
                var p = KpiParameters.Parse(q["asOf"], q["rounding"], errors, q["months"], q["fiscalYear"], q["cursor"], q["limit"]);
                if (p is null) return Invalid(errors);
                var body = await kpi.QueryAsync(report, p, ct);
                return Results.Content(KpiJson.Serialize(body), "application/json", Encoding.UTF8);
            }).WithName("Kpi_" + report);
        }

        app.MapGet("/kpi/csv/{table}", async (string table, HttpRequest request, OnlineKpiService kpi, CancellationToken ct) =>
        {
            if (!KpiTable.Names.Contains(table)) return Results.NotFound();
            var errors = new List<KpiError>();
            var q = request.Query;
            var p = KpiParameters.Parse(q["asOf"], q["rounding"], errors, q["months"], q["fiscalYear"], null, null);
            int? year = null;
            if (q["year"] is { Count: > 0 } y && y[0] is { Length: > 0 } ys)
            {
                if (int.TryParse(ys, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) year = n;
                else errors.Add(new("year", "invalid_fiscal_year", $"計画年度 '{ys}' は使えません。西暦で年度が始まる年（例: 2024）を指定してください。"));
            }
            if (p is null || errors.Count > 0) return Invalid(errors);
            var date = p.AsOf ?? kpi.Today;
            var csv = await kpi.TableAsync(table, p with { AsOf = date }, year, ct);
            return Results.File(csv.ToCsv(), "text/csv; charset=utf-8", $"kpi-{table}-{OnlineKpiService.Iso(date)}.csv");
        }).AllowAnonymous();
        return app;
    }

    /// <summary>The body of one report, as the API and the CLI print it.</summary>
    public static async Task<object> QueryAsync(this OnlineKpiService kpi, string report, KpiParameters p, CancellationToken ct) => report switch
    {
        "online" => await kpi.OnlineAsync(p.AsOf, p.Rounding, ct),
        "departments" => await kpi.DepartmentsAsync(p.AsOf, p.Rounding, ct),
        "trend" => await kpi.TrendAsync(p.AsOf, p.Rounding, p.Months, ct),
        "usage" => await kpi.UsageAsync(p.AsOf, p.Rounding, p.FiscalYear, p.Offset, p.Limit, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(report), report, "unknown KPI report"),
    };

    /// <summary>One dashboard table by its CSV name; tools are for one plan year (all when null).</summary>
    public static async Task<KpiTable> TableAsync(this OnlineKpiService kpi, string table, KpiParameters p, int? year, CancellationToken ct) => table switch
    {
        "plan-years" => KpiTable.PlanYears(await kpi.OnlineAsync(p.AsOf, p.Rounding, ct)),
        "tools" => KpiTable.Tools(await kpi.OnlineAsync(p.AsOf, p.Rounding, ct), year),
        "departments" => KpiTable.Departments(await kpi.DepartmentsAsync(p.AsOf, p.Rounding, ct)),
        "sections" => KpiTable.Sections(await kpi.DepartmentsAsync(p.AsOf, p.Rounding, ct)),
        "trend" => KpiTable.Trend(await kpi.TrendAsync(p.AsOf, p.Rounding, p.Months, ct)),
        "usage" => KpiTable.Usage(await kpi.UsageAsync(p.AsOf, p.Rounding, p.FiscalYear, 0, 1, ct)),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "unknown KPI table"),
    };

    /// <summary>422 problem details with errors [{field, code, message}] (DESIGN.md §3, API conventions).</summary>
    public static IResult Invalid(IReadOnlyList<KpiError> errors) => Results.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "パラメータが正しくありません。",
        detail: string.Join(" ", errors.Select(e => e.Message)),
        extensions: new Dictionary<string, object?> { ["errors"] = errors });
}
