using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// A procedure's ledger workflow (statuses, names in ja/en/やさしい日本語, kind, allowed transitions as a
/// table of checkboxes) and its 標準処理期間, edited by the department's manager or an administrator.
/// <see cref="CaseWorkflow.Parse"/> decides what is valid; a status open cases still use cannot go or change kind.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class WorkflowSettingsModel(MadoguchiDbContext db, CaseService cases, AuditTrail audit, TimeProvider clock) : PageModel
{
    public sealed record StatusInput
    {
        public string? Code { get; init; }
        public string? Ja { get; init; }
        public string? En { get; init; }
        public string? Easy { get; init; }
        /// <summary>open, correction or closed.</summary>
        public string? Kind { get; init; }
        /// <summary>Codes of the statuses a case may move to from this one (the ticked boxes of its row).</summary>
        public List<string> Next { get; init; } = [];
        public bool Remove { get; init; }
    }

    public sealed record InputModel
    {
        public List<StatusInput> Statuses { get; init; } = [];
        [Range(0, 3650, ErrorMessage = "標準処理期間は0〜3650日の範囲で入力してください")]
        public int? StandardProcessingDays { get; init; }
    }

    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>
    {
        ["open"] = "処理中（期限の計算が進む）",
        ["correction"] = "補正待ち（期限の計算が止まる）",
        ["closed"] = "終了（完了・却下など）",
    };

    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? Notice { get; set; }

    public Guid ProcedureId { get; private set; }
    public string ProcedureName { get; private set; } = "";
    public CaseWorkflow Workflow { get; private set; } = CaseWorkflow.Default;
    public bool IsDefault { get; private set; } = true;
    /// <summary>Open cases per status code, shown so staff know what a removal would meet.</summary>
    public Dictionary<string, int> OpenCases { get; private set; } = [];

    private Procedure _procedure = default!;
    private IQueryable<Case> _cases = default!;

    private bool MayEdit => User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Manager);

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        if (!MayEdit) return Forbid();
        Input = new InputModel
        {
            Statuses = [.. Workflow.Statuses.Select(s => new StatusInput { Code = s.Code, Ja = s.Ja, En = s.En, Easy = s.Easy, Kind = KindName(s.Kind), Next = [.. s.Next] })],
            StandardProcessingDays = _procedure.StandardProcessingDays,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        if (!MayEdit) return Forbid();
        var rows = Input.Statuses.Where(s => !s.Remove && !(string.IsNullOrWhiteSpace(s.Code) && string.IsNullOrWhiteSpace(s.Ja))).ToList();
        var kept = rows.Select(s => s.Code?.Trim() ?? "").ToHashSet(StringComparer.Ordinal);
        var removed = Workflow.Statuses.Select(s => s.Code).Where(c => !kept.Contains(c)).ToList();
        var statuses = new List<CaseStatus>();
        foreach (var (row, i) in rows.Select((r, i) => (r, i + 1)))
        {
            if (ParseKind(row.Kind) is not { } kind)
            {
                ModelState.AddModelError("Input.Statuses", $"{i}番目の状態「{row.Ja}」の種類を一覧（処理中・補正待ち・終了）から選んでください。");
                continue;
            }
            // A ticked box towards a status removed in the same save goes with it.
            var next = row.Next.Where(n => !removed.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
            statuses.Add(new CaseStatus(row.Code?.Trim() ?? "", row.Ja?.Trim() ?? "", row.En?.Trim() ?? "", row.Easy?.Trim() ?? "", kind, next));
        }
        // New applications enter the ledger as 受付 (CaseIntake): that status stays, and stays first.
        if (statuses.Count == 0 || statuses[0].Code != CaseWorkflow.Received)
        {
            ModelState.AddModelError("Input.Statuses", $"最初の状態「{CaseWorkflow.Default.Name(CaseWorkflow.Received)}」（{CaseWorkflow.Received}）は新しい申請が入る状態のため、削除できません。");
        }
        CaseWorkflow? workflow = null;
        if (ModelState.IsValid)
        {
            try
            {
                workflow = CaseWorkflow.Parse(new CaseWorkflow(statuses).ToJson());
                if (workflow.CorrectionReturnProblem() is { } problem) ModelState.AddModelError("Input.Statuses", problem);
            }
            catch (ArgumentException e)
            {
                ModelState.AddModelError("Input.Statuses", e.Message);
            }
        }
        await RefuseRemovingUsedAsync(removed, ct);
        var rekinded = statuses.Where(s => Workflow.Find(s.Code) is { } old && old.Kind != s.Kind).Select(s => s.Code).ToList();
        await RefuseUsedAsync(rekinded, "種類を変えられません", "変えて", ct);
        if (!ModelState.IsValid || workflow is null) return Page();
        await SaveAsync(workflow.ToJson(), Input.StandardProcessingDays, "edit", ct);
        return Redirect($"/staff/ledger/{procedureId}/settings");
    }

    /// <summary>Back to the default workflow (受付 → 審査中 → 補正依頼 → 完了 / 却下 / 取下げ).</summary>
    public async Task<IActionResult> OnPostResetAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        if (!MayEdit) return Forbid();
        var removed = Workflow.Statuses.Select(s => s.Code).Where(c => CaseWorkflow.Default.Find(c) is null).ToList();
        await RefuseRemovingUsedAsync(removed, ct);
        if (!ModelState.IsValid)
        {
            Input = new InputModel
            {
                Statuses = [.. Workflow.Statuses.Select(s => new StatusInput { Code = s.Code, Ja = s.Ja, En = s.En, Easy = s.Easy, Kind = KindName(s.Kind), Next = [.. s.Next] })],
                StandardProcessingDays = _procedure.StandardProcessingDays,
            };
            return Page();
        }
        await SaveAsync("", _procedure.StandardProcessingDays, "reset", ct);
        return Redirect($"/staff/ledger/{ProcedureId}/settings");
    }

    private Task RefuseRemovingUsedAsync(IReadOnlyList<string> removed, CancellationToken ct) => RefuseUsedAsync(removed, "削除できません", "削除して", ct);

    /// <summary>
    /// Refuses removing, or changing the kind of, a status open cases are in: they would be left without a
    /// way on (a status now 終了 leaves them open, unmovable and soon 期限超過).
    /// </summary>
    private async Task RefuseUsedAsync(IReadOnlyList<string> codes, string refusal, string then, CancellationToken ct)
    {
        if (codes.Count == 0) return;
        var used = await _cases.AsNoTracking().Where(c => c.ClosedAt == null && codes.Contains(c.Status))
            .GroupBy(c => c.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var u in used.OrderBy(u => u.Status, StringComparer.Ordinal))
        {
            ModelState.AddModelError("Input.Statuses",
                $"状態「{Workflow.Name(u.Status)}」（{u.Status}）は処理中の申請 {u.Count} 件で使われているため{refusal}。先にそれらの申請を別の状態に移してから{then}ください。");
        }
    }

    /// <summary>The workflow and the 標準処理期間 in one transaction, each change with its audit entry (the days also in the procedure's history).</summary>
    private async Task SaveAsync(string workflowJson, int? days, string how, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var settings = await db.LedgerSettings.FirstOrDefaultAsync(s => s.ProcedureId == ProcedureId, ct);
        var oldJson = settings?.WorkflowJson ?? "";
        var workflowChanged = !string.Equals(CaseWorkflow.FromSettings(oldJson).ToJson(), CaseWorkflow.FromSettings(workflowJson).ToJson(), StringComparison.Ordinal) || (how == "reset" && oldJson.Length > 0);
        if (workflowChanged)
        {
            if (settings is null)
            {
                settings = new LedgerSettings { ProcedureId = ProcedureId };
                db.LedgerSettings.Add(settings);
            }
            settings.WorkflowJson = workflowJson;
            settings.UpdatedAt = now;
            var codes = string.Join(",", CaseWorkflow.FromSettings(workflowJson).Statuses.Select(s => s.Code));
            await audit.AppendAsync(new AuditEvent(AuditActions.CaseWorkflowEdited, "procedure", ProcedureId.ToString()) { DepartmentId = _procedure.DepartmentId, Detail = $"{how} statuses={codes}" }, ct);
        }
        // The same history and audit entry as the inventory's edit page (Catalog/Edit).
        var before = ProcedureHistory.Snapshot(_procedure);
        _procedure.StandardProcessingDays = days;
        var daysChanged = ProcedureHistory.Record(db, _procedure, before, User.Identity?.Name ?? "", "ledger-settings", now);
        if (daysChanged)
        {
            await audit.AppendAsync(new AuditEvent(AuditActions.InventoryEdited, "procedure", ProcedureId.ToString()) { DepartmentId = _procedure.DepartmentId, Detail = EditModel.AuditDetail(before, _procedure) }, ct);
        }
        await transaction.CommitAsync(ct);
        LedgerSource.Forget(ProcedureId);
        Notice = (workflowChanged, daysChanged) switch
        {
            (false, false) => "変更はありませんでした。",
            _ when how == "reset" => "ワークフローを標準に戻しました。",
            _ => "保存しました。標準処理期間の変更は、これから受け付ける申請の期限に使われます。",
        };
    }

    private async Task<bool> LoadAsync(Guid procedureId, CancellationToken ct)
    {
        if (await cases.VisibleAsync(User, procedureId, ct) is not { } visible) return false;
        _cases = visible;
        _procedure = await db.Procedures.Include(p => p.Department).FirstAsync(p => p.Id == procedureId, ct);
        ProcedureId = procedureId;
        ProcedureName = _procedure.Name;
        var json = await db.LedgerSettings.AsNoTracking().Where(s => s.ProcedureId == procedureId).Select(s => s.WorkflowJson).FirstOrDefaultAsync(ct);
        IsDefault = string.IsNullOrWhiteSpace(json);
        Workflow = CaseWorkflow.FromSettings(json);
        OpenCases = await visible.AsNoTracking().Where(c => c.ClosedAt == null)
            .GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return true;
    }

    public static string KindName(StatusKind kind) => kind switch { StatusKind.Correction => "correction", StatusKind.Closed => "closed", _ => "open" };

    public static StatusKind? ParseKind(string? name) => name switch
    {
        "open" => StatusKind.Open,
        "correction" => StatusKind.Correction,
        "closed" => StatusKind.Closed,
        _ => null,
    };
}
