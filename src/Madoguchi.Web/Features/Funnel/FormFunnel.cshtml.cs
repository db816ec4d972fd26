using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Funnel;

/// <summary>
/// A form's funnel for its department: figures per version, then one version's pages (reached,
/// abandoned there) and fields (error rate), each as a table with its CSV. No personal data, so the
/// inventory's read policy; another department's form answers 404, like its submissions.
/// </summary>
[Authorize(Policy = Policies.InventoryRead)]
public sealed class FormFunnelModel(MadoguchiDbContext db, StaffScope scope, FunnelService funnel, OnlineKpiService kpi) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Slug { get; set; } = "";
    [BindProperty(SupportsGet = true, Name = "version")] public string? VersionText { get; set; }
    [BindProperty(SupportsGet = true, Name = "asOf")] public string? AsOf { get; set; }
    [BindProperty(SupportsGet = true, Name = "rounding")] public string? Rounding { get; set; }
    [BindProperty(SupportsGet = true, Name = "staleDays")] public string? StaleDaysText { get; set; }

    public string Title { get; private set; } = "";
    public string ProcedureCode { get; private set; } = "";
    public DateOnly Date { get; private set; }
    public RoundingMode Mode { get; private set; }
    public int StaleDays { get; private set; } = FunnelService.DefaultStaleDays;
    public IReadOnlyList<int> VersionNumbers { get; private set; } = [];
    public FunnelFigures Total { get; private set; } = default!;
    public KpiTable Versions { get; private set; } = default!;
    public VersionFunnel? Selected { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        return Page();
    }

    /// <summary>?handler=csv&amp;table=versions|pages|fields: the table shown, as UTF-8 CSV with BOM.</summary>
    public async Task<IActionResult> OnGetCsvAsync(string? table, CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var csv = table switch
        {
            "versions" => Versions,
            "pages" when Selected is not null => FunnelTables.Pages(Selected),
            "fields" when Selected is not null => FunnelTables.Fields(Selected),
            _ => null,
        };
        if (csv is null) return NotFound();
        var version = table == "versions" ? "" : $"-v{Selected!.Version.ToString(CultureInfo.InvariantCulture)}";
        return File(csv.ToCsv(), "text/csv; charset=utf-8", $"funnel-{Slug}{version}-{table}-{OnlineKpiService.Iso(Date)}.csv");
    }

    public string CsvHref(string table)
    {
        var q = $"?handler=csv&table={table}&asOf={OnlineKpiService.Iso(Date)}&rounding={Percent.Name(Mode)}&staleDays={StaleDays.ToString(CultureInfo.InvariantCulture)}";
        if (Selected is not null) q += $"&version={Selected.Version.ToString(CultureInfo.InvariantCulture)}";
        return $"/staff/forms/{Uri.EscapeDataString(Slug)}/funnel{q}";
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        var form = await (from f in db.Forms.AsNoTracking()
                          join p in visible on f.ProcedureId equals p.Id
                          where f.Slug == Slug
                          select new { f.Id, f.Title, f.CurrentVersion, p.Code }).FirstOrDefaultAsync(ct);
        if (form is null) return false;
        Title = form.Title;
        ProcedureCode = form.Code;

        var (parameters, staleDays, errors) = FunnelModule.Parse(AsOf, Rounding, StaleDaysText);
        int? version = null;
        if (!string.IsNullOrEmpty(VersionText))
        {
            if (int.TryParse(VersionText, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) version = v;
            else errors.Add(new("version", "invalid_version", $"版 '{VersionText}' は使えません。一覧から選んでください。"));
        }
        foreach (var e in errors) ModelState.AddModelError(e.Field, e.Message);
        // An invalid parameter falls back to its default, so the figures still show under the error summary.
        Date = parameters?.AsOf ?? (errors.Any(e => e.Field == "asOf") ? null : KpiParameters.ParseAsOf(AsOf, [])) ?? funnel.Today;
        Mode = await kpi.RoundingAsync(parameters?.Rounding ?? Percent.ParseName(Rounding), ct);
        StaleDays = parameters is null ? FunnelService.ParseStaleDays(StaleDaysText, []) ?? FunnelService.DefaultStaleDays : staleDays;

        var (total, versions) = await funnel.SummaryAsync(form.Id, Date, Mode, StaleDays, ct);
        Total = total;
        Versions = FunnelTables.Versions(versions);
        VersionNumbers = [.. versions.Select(v => v.Version)];
        var chosen = version ?? form.CurrentVersion;
        if (chosen is { } n) Selected = await funnel.VersionAsync(form.Id, n, Date, Mode, StaleDays, ct);
        if (Selected is null && version is not null)
        {
            ModelState.AddModelError("version", $"第{version}版はありません。一覧から選んでください。");
            if (form.CurrentVersion is { } current) Selected = await funnel.VersionAsync(form.Id, current, Date, Mode, StaleDays, ct);
        }
        return true;
    }
}
