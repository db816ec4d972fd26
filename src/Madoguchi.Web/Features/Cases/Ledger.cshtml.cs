using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The ledger (台帳) of one procedure: its cases in the department's own columns, filtered, sorted and
/// paged by cursor, with bulk assignment and status changes. The rows carry applicants' answers, so
/// each view is an audit entry written before the read, and the page is never cached.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class LedgerModel(MadoguchiDbContext db, StaffScope scope, CaseService cases, AuditTrail audit, TimeProvider clock, UserManager<StaffUser> users) : PageModel
{
    public const int PageSize = 50;
    /// <summary>Bulk actions change the selected cases in one transaction; a page's worth at most.</summary>
    public const int MaxBulk = 200;

    public sealed record Row(LedgerRow Case, bool Unread, bool Overdue, IReadOnlyList<string> Cells);

    public sealed record BulkInput
    {
        public List<Guid> Ids { get; init; } = [];
        /// <summary>Each row's revision when the ledger was read (hidden inputs): a case changed since is left alone.</summary>
        public Dictionary<Guid, int> Revisions { get; init; } = [];
        /// <summary>"assign" or "status".</summary>
        public string? Action { get; init; }
        /// <summary>A member of staff's id, or "none" to unassign.</summary>
        public string? AssignTo { get; init; }
        public string? Status { get; init; }
        /// <summary>The ledger's query string, to come back to the same filtered page.</summary>
        public string? Return { get; init; }
    }

    [BindProperty] public BulkInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public LedgerFilter Filter { get; set; } = new();
    [FromQuery(Name = "after")] public string? After { get; set; }
    [FromQuery(Name = "before")] public string? Before { get; set; }
    [TempData] public string? Summary { get; set; }
    [TempData] public string? Refusals { get; set; }

    public LedgerProcedure Procedure { get; private set; } = null!;
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public string? NextUrl { get; private set; }
    public string? PreviousUrl { get; private set; }
    public IReadOnlyDictionary<string, string> Assignable { get; private set; } = new Dictionary<string, string>();
    public IEnumerable<SelectListItem> StatusItems => Procedure.Workflow.Statuses.Select(s => new SelectListItem(s.Ja, s.Code));
    public IEnumerable<SelectListItem> AssigneeItems =>
        new[] { new SelectListItem("自分", "me"), new SelectListItem("未割当", "none") }.Concat(Assignable.Select(a => new SelectListItem(a.Value, a.Key)));
    public IEnumerable<SelectListItem> AssignItems =>
        new[] { new SelectListItem("自分", "me") }.Concat(Assignable.Select(a => new SelectListItem(a.Value, a.Key))).Append(new SelectListItem("（担当を外す）", "none"));
    public static IEnumerable<SelectListItem> ChannelItems { get; } = Enum.GetValues<CaseChannel>().Select(c => new SelectListItem(CaseChannels.Label(c), CaseChannels.Code(c)));
    public static IEnumerable<SelectListItem> SortItems { get; } = [new("受付の新しい順", "new"), new("受付の古い順", "old"), new("期限の近い順", "due")];

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
    {
        if (await cases.VisibleAsync(User, procedureId, ct) is not { } visible) return NotFound();
        var (procedure, assignable) = await LedgerSource.CachedAsync(db, cases, procedureId, ct);
        Procedure = procedure;
        Assignable = assignable;
        var (from, to, errors) = LedgerQuery.Dates(Filter);
        foreach (var (field, message) in errors) ModelState.AddModelError(field, message);
        if (errors.Count > 0) return Page();

        var today = JapanTime.Today(clock);
        var me = User.FindFirstValue(ClaimTypes.NameIdentifier);
        var filtered = LedgerQuery.Where(visible, Filter, me, today, from, to);
        var page = await audit.ViewAlongsideAsync(
            new AuditEvent(AuditActions.PersonalDataViewed, "ledger", procedureId.ToString()) { DepartmentId = procedure.DepartmentId, Detail = $"台帳 {procedure.Code}{Describe()}" },
            c => LedgerQuery.PageAsync(filtered, db.Submissions, Filter.SortOrder, After, Before, PageSize, c), ct);

        var names = new Dictionary<string, string>(Assignable);
        var missing = page.Rows.Select(r => r.AssigneeId).OfType<string>().Where(id => !names.ContainsKey(id)).Distinct().ToList();
        if (missing.Count > 0)
        {
            foreach (var u in await db.Users.AsNoTracking().Where(u => missing.Contains(u.Id)).Select(StaffUser.Named).ToListAsync(ct))
            {
                names[u.Id] = u.Name;
            }
        }
        var rows = new List<Row>(page.Rows.Count);
        var answerColumns = new AnswerColumnsByVersion(db, procedure);
        foreach (var r in page.Rows)
        {
            var plan = await answerColumns.ForAsync(r.FormVersionId, ct);
            using var answers = JsonDocument.Parse(r.AnswersJson ?? "{}");
            var overdue = r.ClosedAt is null && r.ClockStoppedOn is null && r.DueOn is { } due && due < today;
            var cells = procedure.Columns.Select((col, i) => col.Source switch
            {
                LedgerLayout.Receipt => r.ReceiptNumber,
                LedgerLayout.Received => StaffSubmissionsModel.Jst(r.ReceivedAt),
                LedgerLayout.Channel => CaseChannels.Label(r.Channel),
                LedgerLayout.Status => procedure.Workflow.Name(r.Status),
                LedgerLayout.Assignee => r.AssigneeId is { } a ? names.GetValueOrDefault(a, "（不明な職員）") : "未割当",
                LedgerLayout.Due => DueText(r, overdue),
                _ => plan.Cell(i, answers.RootElement),
            }).ToList();
            rows.Add(new Row(r, r.OpenedAt is null, overdue, cells));
        }
        Rows = rows;
        NextUrl = page.Next is null ? null : PageUrl("after", page.Next);
        PreviousUrl = page.Previous is null ? null : PageUrl("before", page.Previous);
        return Page();
    }

    /// <summary>期限: the date in 和暦; 「期限超過」 in words (not colour alone) when overdue; 「補正待ち」 while the clock is stopped.</summary>
    private static string DueText(LedgerRow r, bool overdue)
    {
        if (r.ClockStoppedOn is not null && r.ClosedAt is null) return r.DueOn is { } d ? $"補正待ち（{Wareki.Format(d)}から停止中）" : "補正待ち";
        if (r.DueOn is not { } due) return "—";
        return overdue ? $"期限超過 {Wareki.Format(due)}" : Wareki.Format(due);
    }

    /// <summary>The filters in words for the audit entry (never the text typed: it may be a name).</summary>
    private string Describe()
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(Filter.Status)) parts.Add("状態");
        if (!string.IsNullOrEmpty(Filter.Channel)) parts.Add("経路");
        if (!string.IsNullOrEmpty(Filter.Assignee)) parts.Add("担当");
        if (!string.IsNullOrEmpty(Filter.From) || !string.IsNullOrEmpty(Filter.To)) parts.Add("受付日");
        if (Filter.Overdue) parts.Add("期限超過");
        if (Filter.Unread) parts.Add("未読");
        if (!string.IsNullOrWhiteSpace(Filter.Q)) parts.Add("キーワード");
        return parts.Count == 0 ? "" : $"（絞り込み: {string.Join("・", parts)}）";
    }

    /// <summary>The current query without the cursors, for the bulk form to come back to.</summary>
    public string QueryWithoutCursor()
        => string.Join("&", Request.Query.Where(kv => kv.Key is not ("after" or "before" or "handler"))
            .SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}")));

    private string PageUrl(string direction, string cursor)
    {
        var query = QueryWithoutCursor();
        return $"/staff/ledger/{Procedure.Id}?{(query.Length > 0 ? query + "&" : "")}{direction}={Uri.EscapeDataString(cursor)}";
    }

    public async Task<IActionResult> OnPostBulkAsync(Guid procedureId, CancellationToken ct)
    {
        var input = Input;
        if (await LedgerSource.LoadAsync(db, scope, User, procedureId, ct) is not { } procedure) return NotFound();
        var back = $"/staff/ledger/{procedureId}" + (string.IsNullOrEmpty(input.Return) || input.Return.Any(char.IsControl) ? "" : "?" + input.Return.TrimStart('?'));
        var ids = input.Ids.Distinct().ToList();
        if (ids.Count == 0)
        {
            Refusals = "操作する申請が選ばれていません。一覧のチェックボックスで申請を選んでください。";
            return Redirect(back);
        }
        if (ids.Count > MaxBulk)
        {
            Refusals = $"一度に操作できるのは{MaxBulk}件までです（{ids.Count}件選ばれています）。";
            return Redirect(back);
        }
        if (await users.GetUserAsync(User) is not { } me) return Challenge();
        var actor = CaseActor.Staff(me);
        string? assignee = null;
        string verb;
        switch (input.Action)
        {
            case "assign" when input.AssignTo == "none":
                verb = "担当を外しました";
                break;
            case "assign" when !string.IsNullOrEmpty(input.AssignTo):
                assignee = input.AssignTo == "me" ? me.Id : input.AssignTo;
                verb = "担当を割り当てました";
                break;
            case "status" when procedure.Workflow.Find(input.Status ?? "") is { } target:
                verb = $"状態を「{target.Ja}」にしました";
                break;
            default:
                Refusals = input.Action == "status" ? "変更後の状態を選んでください。" : "割り当てる職員を選んでください。";
                return Redirect(back);
        }
        var done = 0;
        var refused = new List<string>();
        var changedMeanwhile = new List<string>();
        var committed = await cases.AtomicallyAsync(async t =>
        {
            foreach (var id in ids)
            {
                var c = await cases.FindAsync(User, id, t);
                if (c is null || c.ProcedureId != procedureId)
                {
                    refused.Add("（選ばれた申請の1件）: この台帳の申請ではないか、見る権限がありません。");
                    continue;
                }
                // Changed by someone since this member of staff read the ledger (or no revision was posted):
                // what they chose was decided on an old picture of the case, so it is not applied to it.
                if (!input.Revisions.TryGetValue(id, out var seen) || seen != c.Revision)
                {
                    changedMeanwhile.Add(c.ReceiptNumber);
                    continue;
                }
                var result = input.Action == "status"
                    ? await cases.ChangeStatusAsync(c, input.Status!, actor, null, t)
                    : await cases.AssignAsync(c, assignee, actor, t);
                switch (result)
                {
                    case CaseChange.Done: done++; break;
                    case CaseChange.Refused r: refused.Add($"{c.ReceiptNumber}: {r.Message}"); break;
                    // Changed between this read and the write (PostgreSQL): nothing of the action is kept.
                    default: return false;
                }
            }
            return true;
        }, ct);
        if (!committed)
        {
            Refusals = "ほかの職員が同時に申請を変更したため、何も変更しませんでした。一覧を開き直して、もう一度操作してください。";
            return Redirect(back);
        }
        var notes = new List<string>();
        if (changedMeanwhile.Count > 0) notes.Add($"{changedMeanwhile.Count}件は一覧を開いたあとにほかの職員が変更したため、変更していません（{string.Join("、", changedMeanwhile)}）。一覧で今の内容を確かめてから、もう一度操作してください。");
        if (refused.Count > 0) notes.Add($"{refused.Count}件は変更できませんでした。");
        Summary = $"{done.ToString("N0", CultureInfo.InvariantCulture)}件の{verb}。" + string.Concat(notes);
        var lines = changedMeanwhile.Select(r => $"{r}: ほかの職員が変更したため、変更していません。").Concat(refused).ToList();
        Refusals = lines.Count > 0 ? string.Join("\n", lines) : null;
        return Redirect(back);
    }
}
