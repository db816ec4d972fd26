using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>Who changed a case: a member of staff, the applicant (補正) or the system.</summary>
public sealed record CaseActor(string? Id, string Name)
{
    public static readonly CaseActor Applicant = new(null, "申請者");
    public static CaseActor Staff(StaffUser user) => new(user.Id, StaffUser.NameOf(user));
}

/// <summary>Told after a change to a case committed (notifications, webhooks). Failures are theirs to handle: the change stands.</summary>
public interface ICaseObserver
{
    Task StatusChangedAsync(Case c, string from, string to, CaseWorkflow workflow, CancellationToken ct);
}

/// <summary>What became of a requested change; a refusal says why, in Japanese, for the page to show.</summary>
public abstract record CaseChange
{
    public sealed record Done : CaseChange;
    public sealed record Refused(string Message) : CaseChange;
    /// <summary>Someone else changed the case since it was read: reload and try again.</summary>
    public sealed record Conflict : CaseChange;
}

/// <summary>
/// The workflow of cases: which cases a member of staff may see (their department's procedures;
/// administrators all), status changes along the procedure's allowed transitions, assignment,
/// internal notes, the 補正 clock. Every change is one transaction with its history line and its
/// audit entry.
/// </summary>
public sealed class CaseService(MadoguchiDbContext db, StaffScope scope, AuditTrail audit, TimeProvider clock, IEnumerable<ICaseObserver> observers, Webhooks.WebhookOutbox outbox,
    Submissions.AttachmentStore attachments, ILogger<CaseService> log)
{
    public const int MaxNoteLength = 4000;

    /// <summary>The cases of the procedures this member of staff may work on.</summary>
    public async Task<IQueryable<Case>> VisibleAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var procedures = await scope.ProceduresAsync(user, ct);
        return db.Cases.Where(c => procedures.Any(p => p.Id == c.ProcedureId));
    }

    /// <summary>
    /// The cases of one procedure when this member of staff may work on it, else null (the page or API
    /// answers 404). The department is checked once, here, so the query is a plain ProcedureId filter
    /// that keyset paging serves from the (ProcedureId, ReceivedAt, Id) index; with the EXISTS of
    /// <see cref="VisibleAsync(ClaimsPrincipal, CancellationToken)"/> SQLite sorted all 300,000 cases of a ledger (bench/ledger).
    /// </summary>
    public async Task<IQueryable<Case>?> VisibleAsync(ClaimsPrincipal user, Guid procedureId, CancellationToken ct)
        => await scope.MaySeeAsync(user, procedureId, ct) ? db.Cases.Where(c => c.ProcedureId == procedureId) : null;

    /// <summary>The case if this member of staff may see it, tracked for a change; else null (the page answers 404).</summary>
    public async Task<Case?> FindAsync(ClaimsPrincipal user, Guid id, CancellationToken ct)
        => await (await VisibleAsync(user, ct)).FirstOrDefaultAsync(c => c.Id == id, ct);

    public async Task<CaseWorkflow> WorkflowAsync(Guid procedureId, CancellationToken ct)
        => CaseWorkflow.FromSettings(await db.LedgerSettings.AsNoTracking().Where(s => s.ProcedureId == procedureId).Select(s => s.WorkflowJson).FirstOrDefaultAsync(ct));

    /// <summary>The department of the case's procedure: what its audit entries are filed under.</summary>
    public Task<Guid?> DepartmentAsync(Case c, CancellationToken ct)
        => db.Procedures.Where(p => p.Id == c.ProcedureId).Select(p => p.DepartmentId).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Opens an attachment of this case (and only of this case: another application's file id is null),
    /// after writing the download to the audit trail (<paramref name="how"/> says where from: page or API).
    /// </summary>
    public Task<(Submissions.Attachment Attachment, Stream Content)?> OpenFileAsync(Case c, Guid fileId, string how, CancellationToken ct)
        => OpenFileAsync(c, fileId, "case-attachment", how, ct);

    /// <summary>
    /// <see cref="OpenFileAsync(Case, Guid, string, CancellationToken)"/> with the audit entry filed under
    /// <paramref name="targetType"/>: the submissions list keeps its own ("submission-attachment"), so the
    /// trail's entries from before stay comparable with the new ones.
    /// </summary>
    public async Task<(Submissions.Attachment Attachment, Stream Content)?> OpenFileAsync(Case c, Guid fileId, string targetType, string how, CancellationToken ct)
    {
        if (!await db.Attachments.AnyAsync(a => a.Id == fileId && a.SubmissionId == c.Id, ct)) return null;
        return await audit.ViewAsync(
            new AuditEvent(AuditActions.PersonalDataViewed, targetType, fileId.ToString()) { DepartmentId = await DepartmentAsync(c, ct), Detail = $"{how} 受付番号 {c.ReceiptNumber}" },
            t => attachments.OpenAsync(fileId, null, c.Id, t), ct);
    }

    /// <summary>
    /// The answer to every staff download of an attachment: never cached, always a download
    /// (octet-stream plus a file name makes Content-Disposition: attachment; nosniff comes from the app's headers).
    /// </summary>
    public static IResult Download(HttpResponse response, (Submissions.Attachment Attachment, Stream Content) file)
    {
        response.Headers.CacheControl = "no-store";
        return Results.File(file.Content, "application/octet-stream", file.Attachment.OriginalName);
    }

    /// <summary>Marks the case read (the ledger's unread marker goes) the first time staff open it.</summary>
    public async Task MarkOpenedAsync(Case c, CancellationToken ct)
    {
        if (c.OpenedAt is not null) return;
        var now = clock.GetUtcNow();
        // Conditional: of two members of staff opening it at once, the first time stays.
        await db.Cases.Where(x => x.Id == c.Id && x.OpenedAt == null).ExecuteUpdateAsync(u => u.SetProperty(x => x.OpenedAt, now), ct);
        c.OpenedAt = now;
    }

    /// <summary>Moves the case to <paramref name="to"/> if the workflow allows it from its status. A 補正依頼 goes through <see cref="RequestCorrectionAsync"/>.</summary>
    public async Task<CaseChange> ChangeStatusAsync(Case c, string to, CaseActor actor, string? comment, CancellationToken ct)
    {
        var workflow = await WorkflowAsync(c.ProcedureId, ct);
        var from = c.Status;
        if (workflow.Find(to) is not { } target) return new CaseChange.Refused($"状態 '{to}' はこの手続のワークフローにありません。");
        if (!workflow.Allows(from, to))
        {
            return new CaseChange.Refused($"「{workflow.Name(from)}」から「{target.Ja}」には移せません。移せる状態: {string.Join("、", workflow.Find(from)?.Next.Select(n => workflow.Name(n)) ?? [])}");
        }
        if (target.Kind == StatusKind.Correction) return new CaseChange.Refused("補正依頼は、直してもらう項目とメッセージを指定して依頼してください。");
        var now = clock.GetUtcNow();
        var today = JapanTime.Today(clock);
        Apply(c, to, target.Kind, now, today);
        if (workflow.Find(from)?.Kind == StatusKind.Correction)
        {
            // Leaving 補正 without an answer (e.g. 却下): the clock restarts so a reopened case is not stopped forever.
            CaseClock.Resume(c, await CalendarAsync(ct), today);
            // ... and the request can no longer be answered: its link says the office withdrew it.
            await CloseOpenRequestsAsync(c, CorrectionRequest.Withdrawn, actor, now, ct);
        }
        AddEvent(c, CaseEventKinds.Status, actor, now, from, to, comment?.Trim() ?? "", isPublic: true);
        await AnnounceAsync(c, from, ct);
        var result = await SaveAsync(c, AuditActions.CaseStatusChanged, $"{from} → {to}", ct);
        if (result is CaseChange.Done) await NotifyAsync(c, from, to, workflow, ct);
        return result;
    }

    private static void Apply(Case c, string to, StatusKind kind, DateTimeOffset now, DateOnly today)
    {
        c.Status = to;
        c.ClosedAt = kind == StatusKind.Closed ? now : null;
        c.ClosedOn = kind == StatusKind.Closed ? today : null;
    }

    /// <summary>Gives the case to a member of staff of the procedure's department (or an administrator); null unassigns.</summary>
    public async Task<CaseChange> AssignAsync(Case c, string? assigneeId, CaseActor actor, CancellationToken ct)
    {
        var name = "（担当なし）";
        if (assigneeId is not null)
        {
            if (await AssignableAsync(c.ProcedureId, ct) is not { } people || !people.TryGetValue(assigneeId, out var found))
            {
                return new CaseChange.Refused("この職員には割り当てられません。手続の所管課の職員を選んでください。");
            }
            name = found;
        }
        if (c.AssigneeId == assigneeId) return new CaseChange.Done();
        c.AssigneeId = assigneeId;
        AddEvent(c, CaseEventKinds.Assigned, actor, clock.GetUtcNow(), null, null, name, isPublic: false);
        return await SaveAsync(c, AuditActions.CaseAssigned, $"担当 {assigneeId ?? "なし"}", ct);
    }

    /// <summary>Members of staff a case of the procedure can be given to (id → name): its department's staff and managers.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> AssignableAsync(Guid procedureId, CancellationToken ct)
    {
        var department = await db.Procedures.Where(p => p.Id == procedureId).Select(p => p.DepartmentId).FirstOrDefaultAsync(ct);
        if (department is null) return null;
        var roles = new[] { Roles.Manager, Roles.Staff };
        return await db.Users
            .Where(u => u.DepartmentId == department && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && roles.Contains(r.Name!))))
            .OrderBy(u => u.DisplayName)
            .Select(StaffUser.Named)
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);
    }

    /// <summary>An internal note: staff only, never shown to the applicant.</summary>
    public async Task<CaseChange> AddNoteAsync(Case c, string? text, CaseActor actor, CancellationToken ct)
    {
        var note = text?.Trim() ?? "";
        if (note.Length == 0) return new CaseChange.Refused("メモが空です。書き残す内容を入力してください。");
        if (note.Length > MaxNoteLength) return new CaseChange.Refused($"メモが長すぎます（{note.Length}文字）。{MaxNoteLength}文字以内にしてください。");
        AddEvent(c, CaseEventKinds.Note, actor, clock.GetUtcNow(), null, null, note, isPublic: false);
        // The note's text is personal data at worst: the audit entry says only that one was written.
        return await SaveAsync(c, AuditActions.CaseNoted, "メモ追加", ct);
    }

    /// <summary>
    /// Puts the case in the workflow's 補正 status and stops its clock, with the request already added
    /// to the context by the caller (fields, message, secret). The applicant's answer restarts it
    /// (<see cref="CorrectionAnsweredAsync"/>).
    /// </summary>
    public async Task<CaseChange> RequestCorrectionAsync(Case c, CorrectionRequest request, CaseActor actor, CancellationToken ct)
    {
        var workflow = await WorkflowAsync(c.ProcedureId, ct);
        if (workflow.CorrectionStatus is not { } to) return new CaseChange.Refused("この手続のワークフローには補正依頼の状態がありません。");
        var from = c.Status;
        if (!workflow.Allows(from, to)) return new CaseChange.Refused($"「{workflow.Name(from)}」の申請には補正依頼を出せません。");
        var now = clock.GetUtcNow();
        // One answerable request per case: an older link answered later would move the case on and strand this one.
        await CloseOpenRequestsAsync(c, CorrectionRequest.Superseded, actor, now, ct);
        Apply(c, to, StatusKind.Correction, now, JapanTime.Today(clock));
        CaseClock.Stop(c, JapanTime.Today(clock));
        request.CaseId = c.Id;
        request.RequestedAt = now;
        request.RequestedById = actor.Id ?? "";
        db.CorrectionRequests.Add(request);
        AddEvent(c, CaseEventKinds.CorrectionRequested, actor, now, from, to, request.Message, isPublic: true);
        await AnnounceAsync(c, from, ct);
        var result = await SaveAsync(c, AuditActions.CaseCorrectionRequested, $"補正依頼 {from} → {to}", ct);
        if (result is CaseChange.Done) await NotifyAsync(c, from, to, workflow, ct);
        else db.Entry(request).State = EntityState.Detached;
        return result;
    }

    /// <summary>
    /// The applicant resubmitted: the corrected answers become the case's, the clock restarts (the due
    /// date moves by the business days it was stopped), and the case returns to review.
    /// </summary>
    public async Task<CaseChange> CorrectionAnsweredAsync(Case c, CorrectionRequest request, string answersJson, CancellationToken ct)
    {
        if (request.AnsweredAt is not null) return new CaseChange.Refused("この補正には既に回答済みです。");
        if (request.ClosedAt is not null) return new CaseChange.Refused("この補正依頼は締め切られています。");
        var workflow = await WorkflowAsync(c.ProcedureId, ct);
        var from = c.Status;
        var back = workflow.AfterCorrection;
        // The settings page refuses a workflow without this move, but one saved before it checked may lack it:
        // the answer still counts and the clock restarts (the applicant has done their part), while the status
        // stays where the workflow keeps it, for staff to move.
        var moves = workflow.Allows(from, back);
        var to = moves ? back : from;
        var now = clock.GetUtcNow();
        request.AnsweredAt = now;
        request.AfterJson = answersJson;
        c.AnswersJson = answersJson;
        CaseClock.Resume(c, await CalendarAsync(ct), JapanTime.Today(clock));
        if (moves) Apply(c, to, StatusKind.Open, now, JapanTime.Today(clock));
        var note = moves ? "" : $"ワークフローで「{workflow.Name(from)}」から「{workflow.Name(back)}」に移せないため、状態は変えていません。職員が状態を移してください。";
        AddEvent(c, CaseEventKinds.Corrected, CaseActor.Applicant, now, from, to, note, isPublic: true);
        if (moves) await AnnounceAsync(c, from, ct);
        var result = await SaveAsync(c, AuditActions.CaseCorrected, moves ? $"補正回答 {from} → {to}" : $"補正回答 {from}（{back} へは移せず）", ct);
        if (result is CaseChange.Done && moves) await NotifyAsync(c, from, to, workflow, ct);
        return result;
    }

    public const int MaxHoldReasonLength = 200;

    /// <summary>
    /// Sets or lifts a legal hold (保存延長: the retention purge passes the case by); a hold needs a
    /// reason, which the case keeps and its history shows to staff.
    /// </summary>
    public async Task<CaseChange> SetLegalHoldAsync(Case c, bool hold, string? reason, CaseActor actor, CancellationToken ct)
    {
        var why = reason?.Trim() ?? "";
        if (hold && why.Length == 0) return new CaseChange.Refused("訴訟・不服申立てなど、保存を延長する理由を入力してください。");
        if (why.Length > MaxHoldReasonLength) return new CaseChange.Refused($"理由が長すぎます（{why.Length}文字）。{MaxHoldReasonLength}文字以内にしてください。");
        c.LegalHold = hold;
        c.LegalHoldReason = hold ? why : "";
        AddEvent(c, CaseEventKinds.Hold, actor, clock.GetUtcNow(), null, null, hold ? $"保存延長（リーガルホールド）: {why}" : "保存延長を解除", isPublic: false);
        return await SaveAsync(c, AuditActions.CaseHold, hold ? "リーガルホールド設定" : "リーガルホールド解除", ct);
    }

    /// <summary>
    /// Closes the case's unanswered requests, with a line in the history. A new request marks withdrawn ones
    /// superseded too, so an old link always sends the applicant to the latest e-mail.
    /// </summary>
    private async Task CloseOpenRequestsAsync(Case c, string reason, CaseActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var unanswered = await db.CorrectionRequests.Where(r => r.CaseId == c.Id && r.AnsweredAt == null && r.ClosedReason != reason).ToListAsync(ct);
        var open = unanswered.Count(r => r.ClosedAt is null);
        foreach (var r in unanswered)
        {
            r.ClosedAt ??= now;
            r.ClosedReason = reason;
        }
        if (open == 0) return;
        var text = reason == CorrectionRequest.Superseded
            ? "回答のない補正依頼を、新しい補正依頼に置き換えて締め切りました（古い依頼のリンクは使えません）。"
            : "回答のない補正依頼を取り下げました（依頼のリンクは使えません）。";
        AddEvent(c, CaseEventKinds.CorrectionClosed, actor, now, null, null, text, isPublic: false);
    }

    /// <summary>case.status_changed for the procedure's webhooks, saved with the change (the outbox only adds rows).</summary>
    private Task AnnounceAsync(Case c, string from, CancellationToken ct)
        => outbox.AddAsync(db, c.ProcedureId, Webhooks.WebhookEvents.CaseStatusChanged, CaseWebhooks.Data(c, from), ct);

    private async Task<BusinessCalendar> CalendarAsync(CancellationToken ct) => new(await db.Closures.AsNoTracking().ToListAsync(ct));

    private void AddEvent(Case c, string kind, CaseActor actor, DateTimeOffset at, string? from, string? to, string text, bool isPublic)
        => db.CaseEvents.Add(new CaseEvent { CaseId = c.Id, At = at, Kind = kind, ActorId = actor.Id, ActorName = actor.Name, FromStatus = from, ToStatus = to, Text = text, Public = isPublic });

    private async Task<CaseChange> SaveAsync(Case c, string action, string detail, CancellationToken ct)
    {
        c.Revision++;
        c.UpdatedAt = clock.GetUtcNow();
        try
        {
            // The audit entry saves the change with it: both or neither.
            await audit.AppendAsync(new AuditEvent(action, "case", c.Id.ToString()) { DepartmentId = await DepartmentAsync(c, ct), Detail = detail }, ct);
            return new CaseChange.Done();
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new CaseChange.Conflict();
        }
    }

    // Set while AtomicallyAsync runs: observers hear of the changes only once they are committed.
    private List<(Case Case, string From, string To, CaseWorkflow Workflow)>? _deferred;

    /// <summary>
    /// Runs several changes as one transaction (the ledger's bulk actions): when <paramref name="changes"/>
    /// returns false (e.g. a conflict) none of them is kept; observers (mails) are told after the commit only.
    /// </summary>
    public async Task<bool> AtomicallyAsync(Func<CancellationToken, Task<bool>> changes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _deferred = [];
        try
        {
            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                if (!await changes(ct))
                {
                    await transaction.RollbackAsync(ct);
                    db.ChangeTracker.Clear();
                    return false;
                }
                await transaction.CommitAsync(ct);
            }
            var committed = _deferred;
            _deferred = null;
            foreach (var n in committed) await NotifyAsync(n.Case, n.From, n.To, n.Workflow, ct);
            return true;
        }
        finally
        {
            _deferred = null;
        }
    }

    private async Task NotifyAsync(Case c, string from, string to, CaseWorkflow workflow, CancellationToken ct)
    {
        if (_deferred is not null)
        {
            _deferred.Add((c, from, to, workflow));
            return;
        }
        foreach (var o in observers)
        {
            try
            {
                await o.StatusChangedAsync(c, from, to, workflow, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The change is committed; a failed notification is logged, not turned into a failed change.
                log.LogError(e, "Observer {Observer} failed for case {Case} ({From} → {To})", o.GetType().Name, c.Id, from, to);
            }
        }
    }
}
