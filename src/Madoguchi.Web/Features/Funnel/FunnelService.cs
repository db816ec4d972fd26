using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Funnel;

/// <summary>
/// Funnels per form and version, computed from the funnel events and the submissions table (API
/// submissions have no draft, so they are counted there). Everything is "as of the end of a Japan
/// date": events before the next midnight in Tokyo count, and a draft is abandoned when it was not
/// submitted and its last event is at least staleDays (or its version's draft expiry, if shorter)
/// before that moment. The answer depends only on the date and the records, so the API and the CLI
/// give the same bytes.
/// </summary>
public sealed class FunnelService(MadoguchiDbContext db, OnlineKpiService kpi)
{
    /// <summary>The check-your-answers page, as a page key in events and tables.</summary>
    public const string CheckPage = "check";

    public const int DefaultStaleDays = 7;
    public const int MaxStaleDays = 365;

    private sealed record Row(Guid FormId, int Version, Guid JourneyId, FunnelEventKind Kind, string? PageKey, string? ToPage, long? Seconds, DateTimeOffset At, long Id);

    /// <summary>One draft's way, folded from its events.</summary>
    private sealed record Journey(Guid FormId, int Version, long? Seconds, bool Abandoned, string? LastPage, IReadOnlySet<string> Pages, int Submits);

    public DateOnly Today => kpi.Today;

    /// <summary>The first instant after the Japan date (its next midnight in Tokyo), in UTC.</summary>
    public static DateTimeOffset EndOf(DateOnly date)
    {
        var midnight = date.AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, JapanTime.Zone.GetUtcOffset(midnight)).ToUniversalTime();
    }

    /// <summary>"7" or null → days; an error (in Japanese) for anything else.</summary>
    public static int? ParseStaleDays(string? value, List<KpiError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(value)) return DefaultStaleDays;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxStaleDays) return n;
        errors.Add(new("staleDays", "invalid_stale_days", $"放置とみなす日数 '{value}' は使えません。1〜{MaxStaleDays} の整数（日数）を指定してください。"));
        return null;
    }

    /// <summary>GET /api/v1/kpi/forms: every published form with its versions' figures.</summary>
    public async Task<FormsKpi> FormsAsync(DateOnly? asOf, RoundingMode? rounding, int staleDays, CancellationToken ct)
    {
        var date = asOf ?? Today;
        var mode = await kpi.RoundingAsync(rounding, ct);
        var forms = await db.Forms.AsNoTracking().Where(f => f.CurrentVersion != null)
            .Select(f => new
            {
                f.Id,
                f.Slug,
                f.Title,
                Code = f.Procedure!.Code,
                Bu = f.Procedure.Department == null ? "" : f.Procedure.Department.Bu,
                Ka = f.Procedure.Department == null ? "" : f.Procedure.Department.Ka,
            })
            .ToListAsync(ct);
        var journeys = await JourneysAsync(null, null, EndOf(date), staleDays, ct);
        var api = await ApiSubmissionsAsync(null, EndOf(date), ct);
        var versions = await db.FormVersions.AsNoTracking().Select(v => new { v.FormId, v.Number }).ToListAsync(ct);

        var list = new List<FormKpi>();
        foreach (var f in forms.OrderBy(f => f.Code, StringComparer.Ordinal).ThenBy(f => f.Slug, StringComparer.Ordinal))
        {
            var mine = journeys.Where(j => j.FormId == f.Id).ToList();
            var apiOf = api.Where(a => a.Key.FormId == f.Id).ToList();
            var total = Figures(mine, apiOf.Sum(a => a.Value), mode);
            var byVersion = new List<FormVersionKpi>();
            foreach (var n in versions.Where(v => v.FormId == f.Id).Select(v => v.Number).Order())
            {
                var v = Figures([.. mine.Where(j => j.Version == n)], apiOf.Where(a => a.Key.Version == n).Sum(a => a.Value), mode);
                byVersion.Add(new FormVersionKpi(n, v.Started, v.SubmittedWeb, v.SubmittedApi, v.Submitted, v.Abandoned,
                    v.InProgress, v.CompletionRatePercent, v.AbandonmentRatePercent, v.MedianSecondsToComplete));
            }
            list.Add(new FormKpi(f.Slug, f.Title, f.Code, string.Join(" ", new[] { f.Bu, f.Ka }.Where(s => s.Length > 0)),
                total.Started, total.SubmittedWeb, total.SubmittedApi, total.Submitted, total.Abandoned, total.InProgress,
                total.CompletionRatePercent, total.AbandonmentRatePercent, total.MedianSecondsToComplete, byVersion));
        }
        return new FormsKpi(OnlineKpiService.Iso(date), Percent.Name(mode), staleDays, list);
    }

    /// <summary>The figures of every version of one form, and the whole form (version null).</summary>
    public async Task<(FunnelFigures Total, IReadOnlyList<(int Version, FunnelFigures Figures)> Versions)> SummaryAsync(
        Guid formId, DateOnly date, RoundingMode mode, int staleDays, CancellationToken ct)
    {
        var journeys = await JourneysAsync(formId, null, EndOf(date), staleDays, ct);
        var api = await ApiSubmissionsAsync(formId, EndOf(date), ct);
        var numbers = await db.FormVersions.AsNoTracking().Where(v => v.FormId == formId).Select(v => v.Number).OrderBy(n => n).ToListAsync(ct);
        var versions = numbers.Select(n => (n, Figures([.. journeys.Where(j => j.Version == n)], api.Where(a => a.Key.Version == n).Sum(a => a.Value), mode))).ToList();
        return (Figures(journeys, api.Sum(a => a.Value), mode), versions);
    }

    /// <summary>One version in detail: pages in the form's order, then the check page; fields in form order.</summary>
    public async Task<VersionFunnel?> VersionAsync(Guid formId, int version, DateOnly date, RoundingMode mode, int staleDays, CancellationToken ct)
    {
        var versionId = await db.FormVersions.AsNoTracking().Where(v => v.FormId == formId && v.Number == version).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        if (versionId is null) return null;
        var definition = await PublishedDefinitions.GetAsync(db, versionId.Value, ct);
        var cutoff = EndOf(date);
        var journeys = await JourneysAsync(formId, version, cutoff, staleDays, ct);
        var api = await ApiSubmissionsAsync(formId, cutoff, ct);
        var figures = Figures(journeys, api.Where(a => a.Key.Version == version).Sum(a => a.Value), mode);

        var submits = await db.FunnelEvents.AsNoTracking()
            .Where(e => e.FormId == formId && e.FormVersionNumber == version && e.Kind == FunnelEventKind.PageSubmitted && e.At < cutoff)
            .GroupBy(e => e.PageKey).Select(g => new { Page = g.Key, Count = g.Count() }).ToListAsync(ct);
        var errors = await db.FunnelEvents.AsNoTracking()
            .Where(e => e.FormId == formId && e.FormVersionNumber == version && e.Kind == FunnelEventKind.FieldError && e.At < cutoff)
            .GroupBy(e => new { e.PageKey, e.FieldKey, e.ErrorCode }).Select(g => new { g.Key.PageKey, g.Key.FieldKey, g.Key.ErrorCode, Count = g.Count() }).ToListAsync(ct);
        int SubmitsOf(string page) => submits.Where(s => s.Page == page).Sum(s => s.Count);

        var pageKeys = definition.Pages.Select(p => (p.Key, Title: p.Title.Ja)).Append((Key: CheckPage, Title: "確認画面")).ToList();
        var pages = pageKeys.Select(p =>
        {
            var reached = journeys.Count(j => j.Pages.Contains(p.Key));
            var abandoned = journeys.Count(j => j.Abandoned && j.LastPage == p.Key);
            return new PageFunnel(p.Key, p.Title, reached, SubmitsOf(p.Key), abandoned, Percent.Of(reached, figures.Started, mode), Percent.Of(abandoned, reached, mode));
        }).ToList();

        var fields = new List<FieldFunnel>();
        foreach (var page in definition.Pages)
        {
            var n = SubmitsOf(page.Key);
            foreach (var (key, label) in FieldsOf(page))
            {
                var rows = errors.Where(e => e.PageKey == page.Key && e.FieldKey == key).ToList();
                var with = rows.Sum(r => r.Count);
                var codes = rows.OrderByDescending(r => r.Count).ThenBy(r => r.ErrorCode, StringComparer.Ordinal)
                    .Select(r => new ErrorCodeCount(r.ErrorCode ?? "", r.Count)).ToList();
                fields.Add(new FieldFunnel(page.Key, key, label, n, with, Percent.Of(with, n, mode), codes));
            }
        }
        return new VersionFunnel(version, figures, pages, fields);
    }

    /// <summary>Answerable fields of a page in order; a group's fields as <c>group.field</c>.</summary>
    private static IEnumerable<(string Key, string Label)> FieldsOf(FormPage page)
    {
        foreach (var item in page.Items)
        {
            if (item is FormField f) yield return (f.Key, f.Label.Ja);
            else if (item is FormGroup g)
            {
                foreach (var gf in g.Fields) yield return ($"{g.Key}.{gf.Key}", $"{g.Label.Ja}：{gf.Label.Ja}");
            }
        }
    }

    private static FunnelFigures Figures(IReadOnlyList<Journey> journeys, int api, RoundingMode mode)
    {
        var started = journeys.Count;
        var web = journeys.Count(j => j.Submits > 0);
        var abandoned = journeys.Count(j => j.Abandoned);
        return new FunnelFigures(started, web, api, web + api, abandoned, started - web - abandoned,
            Percent.Of(web, started, mode), Percent.Of(abandoned, started, mode),
            Median([.. journeys.Where(j => j.Seconds is not null).Select(j => j.Seconds!.Value)]));
    }

    /// <summary>The median in seconds with one decimal (x.0 or x.5); null for none.</summary>
    public static decimal? Median(IReadOnlyList<long> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        if (seconds.Count == 0) return null;
        var sorted = seconds.Order().ToList();
        var mid = sorted.Count / 2;
        // Tenths of a second in integers: the mean of the two middle values is exact.
        var tenths = sorted.Count % 2 == 1 ? (Int128)sorted[mid] * 10 : ((Int128)sorted[mid - 1] + sorted[mid]) * 5;
        var bits = decimal.GetBits((decimal)tenths);
        return new decimal(bits[0], bits[1], bits[2], tenths < 0, 1);
    }

    private async Task<List<KeyValuePair<(Guid FormId, int Version), int>>> ApiSubmissionsAsync(Guid? formId, DateTimeOffset cutoff, CancellationToken ct)
    {
        var rows = await db.Submissions.AsNoTracking()
            .Where(s => s.Channel == "api" && s.SubmittedAt < cutoff && (formId == null || s.FormId == formId))
            .GroupBy(s => new { s.FormId, s.FormVersionNumber })
            .Select(g => new { g.Key.FormId, g.Key.FormVersionNumber, Count = g.Count() })
            .ToListAsync(ct);
        return [.. rows.Select(r => new KeyValuePair<(Guid, int), int>((r.FormId, r.FormVersionNumber), r.Count))];
    }

    /// <summary>
    /// The journeys that started before the cutoff, folded from their events (field errors left out:
    /// they never move a resident). Only drafts with a start row count, so the figures add up.
    /// </summary>
    private async Task<List<Journey>> JourneysAsync(Guid? formId, int? version, DateTimeOffset cutoff, int staleDays, CancellationToken ct)
    {
        var rows = await db.FunnelEvents.AsNoTracking()
            .Where(e => e.At < cutoff && e.Kind != FunnelEventKind.FieldError
                        && (formId == null || e.FormId == formId) && (version == null || e.FormVersionNumber == version))
            .Select(e => new Row(e.FormId, e.FormVersionNumber, e.JourneyId, e.Kind, e.PageKey, e.ToPage, e.Seconds, e.At, e.Id))
            .ToListAsync(ct);
        var expiry = await ExpiryDaysAsync(rows.Select(r => (r.FormId, r.Version)).Distinct().ToList(), ct);

        var journeys = new List<Journey>();
        foreach (var g in rows.GroupBy(r => (r.FormId, r.Version, r.JourneyId)))
        {
            if (!g.Any(r => r.Kind == FunnelEventKind.Started)) continue;
            var ordered = g.OrderBy(r => r.At).ThenBy(r => r.Id).ToList();
            var submit = ordered.FirstOrDefault(r => r.Kind == FunnelEventKind.Submitted);
            var last = ordered[^1];
            var days = Math.Min(staleDays, expiry.GetValueOrDefault((g.Key.FormId, g.Key.Version), FormDefinition.DefaultDraftExpiryDays));
            var abandoned = submit is null && cutoff - last.At >= TimeSpan.FromDays(days);
            var pages = ordered.SelectMany(r => new[] { r.PageKey, r.ToPage }).OfType<string>().ToHashSet(StringComparer.Ordinal);
            journeys.Add(new Journey(g.Key.FormId, g.Key.Version, submit?.Seconds, abandoned,
                ordered.LastOrDefault(r => r.ToPage is not null)?.ToPage, pages, ordered.Count(r => r.Kind == FunnelEventKind.Submitted)));
        }
        return journeys;
    }

    /// <summary>draftExpiryDays of each version: a draft past it was purged, so it is abandoned even before staleDays.</summary>
    private async Task<Dictionary<(Guid, int), int>> ExpiryDaysAsync(IReadOnlyList<(Guid FormId, int Version)> keys, CancellationToken ct)
    {
        var result = new Dictionary<(Guid, int), int>();
        if (keys.Count == 0) return result;
        var formIds = keys.Select(k => k.FormId).Distinct().ToList();
        var versions = await db.FormVersions.AsNoTracking().Where(v => formIds.Contains(v.FormId))
            .Select(v => new { v.Id, v.FormId, v.Number }).ToListAsync(ct);
        foreach (var v in versions.Where(v => keys.Contains((v.FormId, v.Number))))
        {
            result[(v.FormId, v.Number)] = (await PublishedDefinitions.GetAsync(db, v.Id, ct)).DraftExpiryDays;
        }
        return result;
    }
}
