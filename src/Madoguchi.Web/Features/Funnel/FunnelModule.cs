using System.Globalization;
using System.Text;
using Madoguchi.Web.Features.Insight;

namespace Madoguchi.Web.Features.Funnel;

/// <summary>
/// Form funnels: recorded by the draft and submission code (<see cref="FunnelRecorder"/>), shown to
/// the department per form (/staff/forms/{slug}/funnel) and rolled up into the open KPI data:
/// GET /api/v1/kpi/forms, the /kpi dashboard's forms table and its CSV. The roll-up has no personal
/// data (counts, rates and medians per form), so it is anonymous like the other KPIs.
/// </summary>
public static class FunnelModule
{
    public static WebApplicationBuilder AddFunnel(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<FunnelService>();
        return builder;
    }

    public static WebApplication MapFunnel(this WebApplication app)
    {
        app.MapGet("/api/v1/kpi/forms", async (HttpRequest request, FunnelService funnel, CancellationToken ct) =>
        {
            var q = request.Query;
            var (p, staleDays, errors) = Parse(q["asOf"], q["rounding"], q["staleDays"]);
            if (p is null) return InsightModule.Invalid(errors);
            return Results.Content(KpiJson.Serialize(await funnel.FormsAsync(p.AsOf, p.Rounding, staleDays, ct)), "application/json", Encoding.UTF8);
        }).AllowAnonymous().WithName("Kpi_forms");

        // A literal segment wins over the dashboard's /kpi/csv/{table}, so the forms table has its CSV at the same place.
        app.MapGet("/kpi/csv/forms", async (HttpRequest request, FunnelService funnel, CancellationToken ct) =>
        {
            var q = request.Query;
            var (p, staleDays, errors) = Parse(q["asOf"], q["rounding"], q["staleDays"]);
            if (p is null) return InsightModule.Invalid(errors);
            var date = p.AsOf ?? funnel.Today;
            var table = FunnelTables.Forms(await funnel.FormsAsync(date, p.Rounding, staleDays, ct));
            return Results.File(table.ToCsv(), "text/csv; charset=utf-8", $"kpi-forms-{OnlineKpiService.Iso(date)}.csv");
        }).AllowAnonymous();
        return app;
    }

    /// <summary>asOf, rounding and staleDays as the API, the CLI and the pages take them; null parameters with the errors otherwise.</summary>
    public static (KpiParameters? Parameters, int StaleDays, List<KpiError> Errors) Parse(string? asOf, string? rounding, string? staleDays)
    {
        var errors = new List<KpiError>();
        var p = KpiParameters.Parse(asOf, rounding, errors);
        var days = FunnelService.ParseStaleDays(staleDays, errors);
        return errors.Count > 0 || p is null || days is null ? (null, FunnelService.DefaultStaleDays, errors) : (p, days.Value, errors);
    }

    /// <summary>"12分30秒" (or "1時間2分" from an hour on); "—" for none.</summary>
    public static string Duration(decimal? seconds)
    {
        if (seconds is not { } s) return "—";
        var whole = (long)decimal.Floor(s);
        var half = s != whole ? ".5" : "";
        if (whole < 60) return $"{whole.ToString(CultureInfo.InvariantCulture)}{half}秒";
        var (h, m, sec) = (whole / 3600, whole % 3600 / 60, whole % 60);
        return h > 0
            ? $"{h.ToString(CultureInfo.InvariantCulture)}時間{m.ToString(CultureInfo.InvariantCulture)}分"
            : $"{m.ToString(CultureInfo.InvariantCulture)}分{sec.ToString(CultureInfo.InvariantCulture)}{half}秒";
    }
}

/// <summary>Funnel tables for pages and CSV files, in the dashboard's table shape so both show the same numbers.</summary>
public static class FunnelTables
{
    public static KpiTable Forms(FormsKpi k)
    {
        ArgumentNullException.ThrowIfNull(k);
        return new("forms", "kpi.table.forms",
            [new("kpi.col.form", KpiColumnKind.Data), new("kpi.col.procedure", KpiColumnKind.Data), new("kpi.col.department", KpiColumnKind.Data),
             new("kpi.col.started", KpiColumnKind.Count), new("kpi.col.submittedweb", KpiColumnKind.Count), new("kpi.col.submittedapi", KpiColumnKind.Count),
             new("kpi.col.abandoned", KpiColumnKind.Count), new("kpi.col.inprogress", KpiColumnKind.Count),
             new("kpi.col.completion", KpiColumnKind.Percent), new("kpi.col.abandonment", KpiColumnKind.Percent), new("kpi.col.median", KpiColumnKind.Count)],
            [.. k.Forms.Select(f => new object?[] { f.Title, f.ProcedureCode, f.Department, f.Started, f.SubmittedWeb, f.SubmittedApi, f.Abandoned, f.InProgress,
                f.CompletionRatePercent, f.AbandonmentRatePercent, f.MedianSecondsToComplete })]);
    }

    public static KpiTable Versions(IReadOnlyList<(int Version, FunnelFigures Figures)> versions) => new("versions", "funnel.table.versions",
        [new("funnel.col.version", KpiColumnKind.Text), new("kpi.col.started", KpiColumnKind.Count), new("kpi.col.submittedweb", KpiColumnKind.Count),
         new("kpi.col.submittedapi", KpiColumnKind.Count), new("kpi.col.abandoned", KpiColumnKind.Count), new("kpi.col.inprogress", KpiColumnKind.Count),
         new("kpi.col.completion", KpiColumnKind.Percent), new("kpi.col.abandonment", KpiColumnKind.Percent), new("kpi.col.median", KpiColumnKind.Count)],
        [.. versions.Select(v => new object?[] { $"第{v.Version.ToString(CultureInfo.InvariantCulture)}版", v.Figures.Started, v.Figures.SubmittedWeb, v.Figures.SubmittedApi,
            v.Figures.Abandoned, v.Figures.InProgress, v.Figures.CompletionRatePercent, v.Figures.AbandonmentRatePercent, v.Figures.MedianSecondsToComplete })]);

    public static KpiTable Pages(VersionFunnel v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new("pages", "funnel.table.pages",
            [new("funnel.col.page", KpiColumnKind.Data), new("funnel.col.pagekey", KpiColumnKind.Text), new("funnel.col.reached", KpiColumnKind.Count),
             new("funnel.col.reachedrate", KpiColumnKind.Percent), new("funnel.col.pagesubmissions", KpiColumnKind.Count),
             new("kpi.col.abandoned", KpiColumnKind.Count), new("funnel.col.abandonedrate", KpiColumnKind.Percent)],
            [.. v.Pages.Select(p => new object?[] { p.Title, p.Key, p.Reached, p.ReachedRatePercent, p.PageSubmissions, p.Abandoned, p.AbandonedRatePercent })]);
    }

    public static KpiTable Fields(VersionFunnel v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new("fields", "funnel.table.fields",
            [new("funnel.col.field", KpiColumnKind.Data), new("funnel.col.fieldkey", KpiColumnKind.Text), new("funnel.col.pagekey", KpiColumnKind.Text),
             new("funnel.col.pagesubmissions", KpiColumnKind.Count), new("funnel.col.witherrors", KpiColumnKind.Count),
             new("funnel.col.errorrate", KpiColumnKind.Percent), new("funnel.col.codes", KpiColumnKind.Text)],
            [.. v.Fields.Select(f => new object?[] { f.Label, f.FieldKey, f.PageKey, f.PageSubmissions, f.WithErrors, f.ErrorRatePercent,
                string.Join(" ", f.Codes.Select(c => $"{c.Code}:{c.Count.ToString(CultureInfo.InvariantCulture)}")) })]);
    }
}
