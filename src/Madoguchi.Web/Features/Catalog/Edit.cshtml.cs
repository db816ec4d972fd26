using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>Edit one procedure; every saved change lands in its history.</summary>
[Authorize(Policy = Policies.InventoryWrite)]
public sealed class EditModel(MadoguchiDbContext db, TimeProvider clock, AuditTrail audit) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "手続名を入力してください")]
        [StringLength(500, ErrorMessage = "手続名は500文字以内で入力してください")]
        public string Name { get; init; } = "";
        public Guid? DepartmentId { get; init; }
        [StringLength(300)] public string? LawName { get; init; }
        [StringLength(300)] public string? LawArticle { get; init; }
        [StringLength(100)] public string? ProcedureType { get; init; }
        [StringLength(100)] public string? Actor { get; init; }
        /// <summary>"yes" or "no".</summary>
        [Required(ErrorMessage = "オンライン化の可否を選んでください")]
        public string Eligible { get; init; } = "yes";
        [StringLength(500)] public string? IneligibleReason { get; init; }
        public OnlineStatus Status { get; init; } = OnlineStatus.NotDone;
        /// <summary>Typed as text so 2024-07, 2024-07-01 and 和暦 can all be accepted and errors shown as typed.</summary>
        public string? OnlineSince { get; init; }
        /// <summary>"2024", "2023:OrEarlier", "2030:OrLater" or empty.</summary>
        public string? PlanYear { get; init; }
        public string? Tool { get; init; }
        [Range(0, 3650, ErrorMessage = "標準処理期間は0〜3650日の範囲で入力してください")]
        public int? StandardProcessingDays { get; init; }
        public List<string> LifeEvents { get; init; } = [];
        /// <summary>Whether the procedure may collect 個人番号; only an administrator may change it.</summary>
        public bool UsesMyNumber { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public Procedure Procedure { get; private set; } = default!;
    public IEnumerable<SelectListItem> Departments { get; private set; } = [];

    public static IEnumerable<SelectListItem> PlanYears { get; } =
        new[] { new SelectListItem(Madoguchi.Web.Shared.Japanese.Wareki.FormatFiscalYear(2023, PlanYearBound.OrEarlier), "2023:OrEarlier") }
        .Concat(Enumerable.Range(2024, 6).Select(y => new SelectListItem($"{Madoguchi.Web.Shared.Japanese.Wareki.FormatFiscalYear(y)}（{y}年度）", y.ToString(CultureInfo.InvariantCulture))))
        .Append(new SelectListItem(Madoguchi.Web.Shared.Japanese.Wareki.FormatFiscalYear(2030, PlanYearBound.OrLater), "2030:OrLater"));

    public static IEnumerable<SelectListItem> Tools { get; } = Procedure.KnownTools.Select(t => new SelectListItem(t, t));

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var p = Procedure;
        Input = new InputModel
        {
            Name = p.Name,
            DepartmentId = p.DepartmentId,
            LawName = p.LawName,
            LawArticle = p.LawArticle,
            ProcedureType = p.ProcedureType,
            Actor = p.Actor,
            Eligible = p.OnlineEligible ? "yes" : "no",
            IneligibleReason = p.IneligibleReason,
            Status = p.Status,
            OnlineSince = p.OnlineSince?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            PlanYear = p.PlanFiscalYear is int y ? y + (p.PlanYearBound == PlanYearBound.Exact ? "" : ":" + p.PlanYearBound) : null,
            Tool = p.Tool,
            StandardProcessingDays = p.StandardProcessingDays,
            LifeEvents = [.. p.LifeEvents.Where(e => e.Kind == LifeEventKind.Personal).Select(e => e.Event)],
            UsesMyNumber = p.UsesMyNumber,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var eligible = Input.Eligible == "yes";
        DateOnly? since = null;
        if (!string.IsNullOrWhiteSpace(Input.OnlineSince))
        {
            since = Shared.Japanese.Wareki.ParseDate(Input.OnlineSince)
                ?? (Shared.Japanese.Wareki.ParseMonth(Input.OnlineSince) is { } ym ? new DateOnly(ym.Year, ym.Month, 1) : null);
            if (since is null)
                ModelState.AddModelError("Input.OnlineSince", "オンライン化年月日は 2024-07-01 や 2024-07、令和6年7月1日 の形で入力してください");
        }
        if (Input.Status == OnlineStatus.Done && !eligible)
            ModelState.AddModelError("Input.Status", "オンライン化「不可」の手続を「済」にはできません。可否を「可」にするか、状況を変えてください");
        if (since is not null && Input.Status != OnlineStatus.Done)
            ModelState.AddModelError("Input.OnlineSince", "オンライン化年月日は、状況が「済」のときだけ入力できます");
        if (!eligible && string.IsNullOrWhiteSpace(Input.IneligibleReason))
            ModelState.AddModelError("Input.IneligibleReason", "オンライン化「不可」の理由を入力してください");
        if (!string.IsNullOrEmpty(Input.Tool) && !Procedure.KnownTools.Contains(Input.Tool))
            ModelState.AddModelError("Input.Tool", "利用ツールは一覧から選んでください");
        if (!string.IsNullOrEmpty(Input.PlanYear) && !PlanYears.Any(o => o.Value == Input.PlanYear))
            ModelState.AddModelError("Input.PlanYear", "予定年度は一覧から選んでください");
        if (Input.DepartmentId is Guid dep && !await db.Departments.AnyAsync(d => d.Id == dep, ct))
            ModelState.AddModelError("Input.DepartmentId", "所管は一覧から選んでください");
        var unknownEvents = Input.LifeEvents.Except(Procedure.PersonalLifeEvents).ToList();
        if (unknownEvents.Count > 0)
            ModelState.AddModelError("Input.LifeEvents", "ライフイベントは一覧から選んでください");
        // Whether the law (番号法 別表) allows 個人番号 is a legal decision, kept to administrators;
        // for anyone else the posted value is ignored rather than trusted.
        var usesMyNumber = CanSetMyNumber ? Input.UsesMyNumber : Procedure.UsesMyNumber;
        if (Procedure.UsesMyNumber && !usesMyNumber)
        {
            var collecting = await MyNumberFormsAsync(Procedure.Id, ct);
            if (collecting.Count > 0)
                ModelState.AddModelError("Input.UsesMyNumber", $"フォーム {string.Join("、", collecting)} が個人番号の項目を持っています。先にフォームから個人番号の項目を外して公開し直してください");
        }
        if (!ModelState.IsValid) return Page();

        var p = Procedure;
        var before = ProcedureHistory.Snapshot(p);
        p.Name = Input.Name.Trim();
        p.DepartmentId = Input.DepartmentId;
        p.Department = Input.DepartmentId is Guid d2 ? await db.Departments.FindAsync([d2], ct) : null;
        p.LawName = Input.LawName?.Trim() ?? "";
        p.LawArticle = Input.LawArticle?.Trim() ?? "";
        p.ProcedureType = Input.ProcedureType?.Trim() ?? "";
        p.Actor = Input.Actor?.Trim() ?? "";
        p.OnlineEligible = eligible;
        p.IneligibleReason = eligible ? "" : Input.IneligibleReason!.Trim();
        p.Status = Input.Status;
        p.OnlineSince = since;
        (p.PlanFiscalYear, p.PlanYearBound) = Input.PlanYear switch
        {
            null or "" => ((int?)null, PlanYearBound.Exact),
            var s when s.Contains(':', StringComparison.Ordinal) => (int.Parse(s[..4], CultureInfo.InvariantCulture), Enum.Parse<PlanYearBound>(s[5..])),
            var s => (int.Parse(s, CultureInfo.InvariantCulture), PlanYearBound.Exact),
        };
        p.Tool = Input.Tool ?? "";
        p.StandardProcessingDays = Input.StandardProcessingDays;
        p.UsesMyNumber = usesMyNumber;
        p.LifeEvents.RemoveAll(e => e.Kind == LifeEventKind.Personal && !Input.LifeEvents.Contains(e.Event));
        foreach (var e in Input.LifeEvents.Distinct().Where(e => !p.LifeEvents.Any(x => x.Kind == LifeEventKind.Personal && x.Event == e)))
        {
            p.LifeEvents.Add(new ProcedureLifeEvent { ProcedureId = p.Id, Kind = LifeEventKind.Personal, Event = e });
        }
        var changed = ProcedureHistory.Record(db, p, before, User.Identity?.Name ?? "", "edit", clock.GetUtcNow());
        // Saved with its audit entry, in one transaction; the entry names the fields, not their values.
        if (changed) await audit.AppendAsync(new AuditEvent(AuditActions.InventoryEdited, "procedure", p.Id.ToString()) { DepartmentId = p.DepartmentId, Detail = AuditDetail(before, p) }, ct);
        TempData["Notice"] = changed ? "保存しました。" : "変更はありませんでした。";
        return Redirect($"/staff/inventory/{p.Id}");
    }

    public bool CanSetMyNumber => User.IsInRole(Roles.Admin);

    /// <summary>Slugs of the forms whose working definition or current version collects 個人番号.</summary>
    private async Task<List<string>> MyNumberFormsAsync(Guid procedureId, CancellationToken ct)
    {
        var forms = await db.Forms.AsNoTracking().Where(f => f.ProcedureId == procedureId)
            .Select(f => new { f.Slug, f.WorkingJson, Current = f.Versions.Where(v => v.Number == f.CurrentVersion).Select(v => v.DefinitionJson).FirstOrDefault() })
            .ToListAsync(ct);
        return [.. forms.Where(f => Collects(f.WorkingJson) || (f.Current is not null && Collects(f.Current))).Select(f => f.Slug)];

        static bool Collects(string json) => json.Length > 0 && Forms.FormService.Definition(json).CollectsMyNumber;
    }

    internal static string AuditDetail(IReadOnlyDictionary<string, string?> before, Procedure p)
        => $"code={p.Code} fields={string.Join(",", ProcedureHistory.Diff(before, ProcedureHistory.Snapshot(p)).Select(c => c.Field))}";

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var p = await db.Procedures.Include(x => x.Department).Include(x => x.LifeEvents).Include(x => x.Volumes)
            .AsSplitQuery().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return false;
        Procedure = p;
        var departments = await db.Departments.AsNoTracking().ToListAsync(ct);
        Departments = departments.OrderBy(d => d.Bu, StringComparer.Ordinal).ThenBy(d => d.Ka, StringComparer.Ordinal).ThenBy(d => d.Kakari, StringComparer.Ordinal)
            .Select(d => new SelectListItem(d.DisplayName, d.Id.ToString()));
        return true;
    }
}
