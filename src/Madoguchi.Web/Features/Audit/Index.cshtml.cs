using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Audit;

/// <summary>The auditor's search over the trail (period in Japan dates, actor, action, target) and its CSV export.</summary>
[Authorize(Policy = Policies.Audit)]
public sealed class IndexModel(MadoguchiDbContext db, AuditTrail trail) : PageModel
{
    public const int PageSize = 50;

    public sealed record FilterModel
    {
        public string? From { get; init; }
        public string? To { get; init; }
        public string? Actor { get; init; }
        public string? Action { get; init; }
        public string? Target { get; init; }
        /// <summary>Not "Page": Razor Pages' own route value of that name would bind to it when no filter is given.</summary>
        public int PageNumber { get; init; } = 1;
    }

    [BindProperty(SupportsGet = true)] public FilterModel Filter { get; set; } = new();
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public int CurrentPage => Math.Clamp(Filter.PageNumber, 1, PageCount);
    public static IEnumerable<SelectListItem> Actions => AuditActions.All.Select(a => new SelectListItem(a, a));

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Parse() is not { } filter) return Page();
        // Actor names are personal data: the search itself is recorded before anything is read.
        (Total, Entries) = await trail.ViewAsync(new AuditEvent(AuditActions.AuditSearched, "audit", null) { Detail = Describe(filter) }, async c =>
        {
            var q = AuditSearch.Apply(db, filter).AsNoTracking();
            var total = await q.CountAsync(c);
            var page = Math.Clamp(Filter.PageNumber, 1, Math.Max(1, (total + PageSize - 1) / PageSize));
            var rows = await q.OrderByDescending(e => e.Sequence).Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(c);
            return (total, (IReadOnlyList<AuditEntry>)rows);
        }, ct);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (Parse() is not { } filter) return Page();
        var rows = await trail.ViewAsync(new AuditEvent(AuditActions.AuditExported, "audit", null) { Detail = Describe(filter) },
            c => AuditSearch.Apply(db, filter).AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(c), ct);
        var stream = new MemoryStream();
        await using (var writer = new StreamWriter(stream, AuditSearch.Utf8Bom, leaveOpen: true))
        {
            await AuditSearch.WriteCsvAsync(rows, writer, ct);
        }
        stream.Position = 0;
        return File(stream, "text/csv; charset=utf-8", $"audit-{filter.From:yyyyMMdd}-{filter.To:yyyyMMdd}.csv");
    }

    private AuditSearch.Filter? Parse()
    {
        var from = Date(Filter.From, "Filter.From", "開始日");
        var to = Date(Filter.To, "Filter.To", "終了日");
        if (from is not null && to is not null && to < from) ModelState.AddModelError("Filter.To", "＊終了日は開始日以降の日付にしてください");
        if (!ModelState.IsValid) return null;
        return new AuditSearch.Filter(from, to, Filter.Actor, Filter.Action, Filter.Target);
    }

    private DateOnly? Date(string? text, string key, string label)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Wareki.ParseDate(text) is { } d) return d;
        ModelState.AddModelError(key, $"＊{label}は 2025-04-01 や 令和7年4月1日 の形で入力してください（'{text}' は日付として読めません）");
        return null;
    }

    private static string Describe(AuditSearch.Filter f)
        => string.Create(CultureInfo.InvariantCulture, $"from={f.From:yyyy-MM-dd} to={f.To:yyyy-MM-dd} action={f.Action} target={f.Target}{(string.IsNullOrWhiteSpace(f.Actor) ? "" : " actor=(指定あり)")}");

    public string PageUrl(int page)
    {
        var query = Request.Query.Where(kv => kv.Key is not "Filter.PageNumber" and not "handler")
            .SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}"));
        return "/staff/audit?" + string.Join("&", query.Append(string.Create(CultureInfo.InvariantCulture, $"Filter.PageNumber={page}")));
    }

    public string CsvUrl()
    {
        var query = Request.Query.Where(kv => kv.Key is not "Filter.PageNumber" and not "handler")
            .SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}"));
        return "/staff/audit?" + string.Join("&", query.Prepend("handler=csv"));
    }

    public static string Jst(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, JapanTime.Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
