using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>Search and filter the inventory (手続棚卸).</summary>
[Authorize(Policy = Policies.InventoryRead)]
public sealed class IndexModel(MadoguchiDbContext db, StaffScope scope) : PageModel
{
    public const int PageSize = 50;

    /// <summary>Filters come from the query string so a filtered list can be bookmarked and shared.</summary>
    public sealed record FilterModel
    {
        public string? Q { get; init; }
        public string? Bu { get; init; }
        public string? Ka { get; init; }
        /// <summary>"yes" or "no".</summary>
        public string? Eligible { get; init; }
        public OnlineStatus? Status { get; init; }
        public int? PlanYear { get; init; }
        public string? Tool { get; init; }
        public string? LifeEvent { get; init; }
        public int Page { get; init; } = 1;
    }

    [BindProperty(SupportsGet = true)] public FilterModel Filter { get; set; } = new();

    public IReadOnlyList<Procedure> Procedures { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public IEnumerable<SelectListItem> Bus { get; private set; } = [];
    public IEnumerable<SelectListItem> Kas { get; private set; } = [];
    public IEnumerable<SelectListItem> PlanYears { get; private set; } = [];
    public IEnumerable<SelectListItem> Tools { get; private set; } = [];
    public IEnumerable<SelectListItem> LifeEvents { get; private set; } = [];
    public bool CanWrite { get; private set; }
    public bool CanExport { get; private set; }
    [TempData] public string? Notice { get; set; }

    public static IEnumerable<SelectListItem> Statuses { get; } =
    [
        new("済（実施済）", nameof(OnlineStatus.Done)),
        new("未（未実施）", nameof(OnlineStatus.NotDone)),
        new("適用除外", nameof(OnlineStatus.Exempt)),
        new("その他", nameof(OnlineStatus.Other)),
    ];

    public static IEnumerable<SelectListItem> EligibleOptions { get; } = [new("可", "yes"), new("不可", "no")];

    public async Task OnGetAsync([FromServices] IAuthorizationService auth, CancellationToken ct)
    {
        CanWrite = (await auth.AuthorizeAsync(User, Policies.InventoryWrite)).Succeeded;
        CanExport = (await auth.AuthorizeAsync(User, Policies.InventoryExport)).Succeeded;
        var visible = await scope.ProceduresAsync(User, ct);
        var q = visible;
        var f = Filter;
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var term = f.Q.Trim();
            q = q.Where(p => p.Name.Contains(term) || p.Code.Contains(term) || p.LawName.Contains(term));
        }
        if (!string.IsNullOrEmpty(f.Bu)) q = q.Where(p => p.Department!.Bu == f.Bu);
        if (!string.IsNullOrEmpty(f.Ka)) q = q.Where(p => p.Department!.Ka == f.Ka);
        if (f.Eligible == "yes") q = q.Where(p => p.OnlineEligible);
        if (f.Eligible == "no") q = q.Where(p => !p.OnlineEligible);
        if (f.Status is { } status) q = q.Where(p => p.Status == status);
        if (f.PlanYear is { } year) q = q.Where(p => p.PlanFiscalYear == year);
        if (f.Tool == "-") q = q.Where(p => p.Tool == "");
        else if (!string.IsNullOrEmpty(f.Tool)) q = q.Where(p => p.Tool == f.Tool);
        if (!string.IsNullOrEmpty(f.LifeEvent)) q = q.Where(p => p.LifeEvents.Any(e => e.Event == f.LifeEvent));

        Total = await q.CountAsync(ct);
        var page = Math.Clamp(f.Page, 1, PageCount);
        Procedures = await q.AsNoTracking().Include(p => p.Department)
            .OrderBy(p => p.Code)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .ToListAsync(ct);

        // Choices come from what the visible inventory holds, so every option finds something.
        var departments = await visible.Where(p => p.Department != null)
            .Select(p => new { p.Department!.Bu, p.Department.Ka }).Distinct().ToListAsync(ct);
        Bus = departments.Select(d => d.Bu).Distinct().Order(StringComparer.Ordinal).Select(b => new SelectListItem(b, b));
        Kas = departments.Where(d => string.IsNullOrEmpty(f.Bu) || d.Bu == f.Bu).Select(d => d.Ka).Where(k => k.Length > 0)
            .Distinct().Order(StringComparer.Ordinal).Select(k => new SelectListItem(k, k));
        var years = await visible.Where(p => p.PlanFiscalYear != null)
            .Select(p => new { Year = p.PlanFiscalYear!.Value, p.PlanYearBound }).Distinct().ToListAsync(ct);
        PlanYears = years.GroupBy(y => y.Year).OrderBy(g => g.Key)
            .Select(g => new SelectListItem(Shared.Japanese.Wareki.FormatFiscalYear(g.Key, g.First().PlanYearBound), g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var tools = await visible.Select(p => p.Tool).Distinct().ToListAsync(ct);
        Tools = tools.Where(t => t.Length > 0).Order(StringComparer.Ordinal).Select(t => new SelectListItem(t, t))
            .Append(new SelectListItem("（未定）", "-"));
        var events = await db.ProcedureLifeEvents.Where(e => visible.Any(p => p.Id == e.ProcedureId))
            .Select(e => e.Event).Distinct().ToListAsync(ct);
        LifeEvents = events.Order(StringComparer.Ordinal).Select(e => new SelectListItem(e, e));
    }

    public string PageUrl(int page)
    {
        var query = Request.Query.Where(kv => kv.Key != "Filter.Page").SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}"));
        return "/staff/inventory?" + string.Join("&", query.Append($"Filter.Page={page}"));
    }

    public static string StatusText(OnlineStatus s) => ProcedureHistory.Display("Status", s.ToString())!;
}
