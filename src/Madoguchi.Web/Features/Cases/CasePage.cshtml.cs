using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Protection;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// One case: every answer (個人番号 masked; revealed on request to staff with the 個人番号 permission),
/// attachments, history, notes, assignee, due date, status changes and 補正依頼. The answers are
/// personal data: each view is an audit entry written before the read. Another department's case is 404.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class CasePageModel(
    MadoguchiDbContext db, CaseService cases, CaseMailer mailer, AuditTrail audit, PersonalDataVault vault,
    UserManager<StaffUser> users, IAuthorizationService authorization, TimeProvider clock) : PageModel
{
    public const int MaxMessageLength = 2000;

    public sealed record HistoryLine(string At, string Actor, string What, string Text);
    /// <param name="Closed">Why an unanswered request can no longer be answered, in words; null while it can.</param>
    public sealed record CorrectionView(string RequestedAt, string? AnsweredAt, IReadOnlyList<string> Fields, string Message,
        IReadOnlyList<StaffSubmissionsModel.AnswerLine> Before, IReadOnlyList<StaffSubmissionsModel.AnswerLine>? After, string? Closed = null);
    /// <summary>A top-level question staff may mark for 補正, or why it cannot be.</summary>
    public sealed record Correctable(string Key, string Label, string? NotAllowed);

    public sealed record StatusInput(string? To, string? Comment, int Revision);
    public sealed record AssignInput(string? AssigneeId, bool Me, int Revision);
    public sealed record NoteInput(string? Text);
    public sealed record CorrectionInput(List<string>? Fields, string? Message, int Revision);

    public Case Case { get; private set; } = default!;
    public string ProcedureName { get; private set; } = "";
    public Guid ProcedureId { get; private set; }
    public string FormTitle { get; private set; } = "";
    public int FormVersion { get; private set; }
    public CaseWorkflow Workflow { get; private set; } = CaseWorkflow.Default;
    public IReadOnlyList<StaffSubmissionsModel.AnswerLine> Answers { get; private set; } = [];
    /// <summary>The answers as submitted, when corrections changed them since.</summary>
    public IReadOnlyList<StaffSubmissionsModel.AnswerLine>? Original { get; private set; }
    public IReadOnlyList<StaffSubmissionsModel.FileLink> Files { get; private set; } = [];
    public IReadOnlyList<HistoryLine> History { get; private set; } = [];
    public IReadOnlyList<CorrectionView> Corrections { get; private set; } = [];
    public IReadOnlyList<Correctable> CorrectableItems { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Assignable { get; private set; } = new Dictionary<string, string>();
    public string? AssigneeName { get; private set; }
    public bool CanReveal { get; private set; }
    public bool Revealed { get; private set; }
    public bool Overdue { get; private set; }
    public bool HasSensitive { get; private set; }
    public string? Error { get; private set; }
    public bool ConflictHappened { get; private set; }
    public string? Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        await cases.MarkOpenedAsync(c, ct);
        Done = done switch
        {
            "status" => "状態を変更しました。",
            "assign" => "担当者を変更しました。",
            "note" => "メモを追加しました。",
            "correction" => "補正依頼を送りました。申請者にメールでお知らせしています（メールアドレスの回答がある場合）。",
            _ => null,
        };
        return await ShowAsync(c, reveal: false, ct);
    }

    /// <summary>Shows the sensitive answers in the clear, for this response only; each value read is audited by the vault.</summary>
    public async Task<IActionResult> OnPostRevealAsync(Guid id, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        if (!(await authorization.AuthorizeAsync(User, Policies.MyNumber)).Succeeded) return Forbid();
        return await ShowAsync(c, reveal: true, ct);
    }

    public async Task<IActionResult> OnPostStatusAsync(Guid id, StatusInput input, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        if (input.Revision != c.Revision) return await ConflictAsync(id, ct);
        var result = await cases.ChangeStatusAsync(c, input.To ?? "", await ActorAsync(), input.Comment, ct);
        return await AfterAsync(id, result, "status", ct);
    }

    public async Task<IActionResult> OnPostAssignAsync(Guid id, AssignInput input, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        if (input.Revision != c.Revision) return await ConflictAsync(id, ct);
        var assignee = input.Me ? users.GetUserId(User) : string.IsNullOrEmpty(input.AssigneeId) ? null : input.AssigneeId;
        var result = await cases.AssignAsync(c, assignee, await ActorAsync(), ct);
        return await AfterAsync(id, result, "assign", ct);
    }

    public async Task<IActionResult> OnPostNoteAsync(Guid id, NoteInput input, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        var result = await cases.AddNoteAsync(c, input.Text, await ActorAsync(), ct);
        return await AfterAsync(id, result, "note", ct);
    }

    public async Task<IActionResult> OnPostCorrectionAsync(Guid id, CorrectionInput input, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        if (input.Revision != c.Revision) return await ConflictAsync(id, ct);
        var (definition, _, _) = await SubmissionAsync(c, ct);
        var allowed = CorrectableOf(definition).Where(x => x.NotAllowed is null).Select(x => x.Key).ToHashSet(StringComparer.Ordinal);
        var fields = (input.Fields ?? []).Distinct(StringComparer.Ordinal).ToList();
        var message = input.Message?.Trim() ?? "";
        string? refusal = null;
        if (fields.Count == 0) refusal = "直してもらう項目を1つ以上選んでください。";
        else if (fields.FirstOrDefault(f => !allowed.Contains(f)) is { } bad) refusal = $"項目 '{bad}' は補正の対象にできません（ファイルと機微情報の項目は窓口か郵送で受け取ってください）。";
        else if (message.Length == 0) refusal = "申請者へのメッセージを入力してください。何をどう直してほしいかを書いてください。";
        else if (message.Length > MaxMessageLength) refusal = $"メッセージが長すぎます（{message.Length}文字）。{MaxMessageLength}文字以内にしてください。";
        if (refusal is not null) return await AfterAsync(id, new CaseChange.Refused(refusal), "correction", ct);

        var secret = ReceiptNumbers.NewSecret();
        var submissionAnswers = await db.Submissions.AsNoTracking().Where(s => s.Id == c.Id).Select(s => s.AnswersJson).FirstAsync(ct);
        var request = new CorrectionRequest
        {
            FieldsJson = JsonSerializer.Serialize(fields),
            Message = message,
            SecretHash = ReceiptNumbers.Hash(secret),
            BeforeJson = c.AnswersJson ?? submissionAnswers,
        };
        var result = await cases.RequestCorrectionAsync(c, request, await ActorAsync(), ct);
        if (result is CaseChange.Done) await mailer.CorrectionRequestedAsync(c, request, secret, await cases.WorkflowAsync(c.ProcedureId, ct), ct);
        return await AfterAsync(id, result, "correction", ct);
    }

    private async Task<IActionResult> AfterAsync(Guid id, CaseChange result, string what, CancellationToken ct)
    {
        switch (result)
        {
            case CaseChange.Done:
                return Redirect($"/staff/cases/{id}?done={what}");
            case CaseChange.Conflict:
                return await ConflictAsync(id, ct);
            case CaseChange.Refused r:
                Error = r.Message;
                // The case was changed in memory before the refusal: read it again.
                db.ChangeTracker.Clear();
                if (await FindAsync(id, ct) is not { } c) return NotFound();
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return await ShowAsync(c, reveal: false, ct);
            default:
                throw new InvalidOperationException(result.GetType().Name);
        }
    }

    private async Task<IActionResult> ConflictAsync(Guid id, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        if (await FindAsync(id, ct) is not { } c) return NotFound();
        ConflictHappened = true;
        Response.StatusCode = StatusCodes.Status409Conflict;
        return await ShowAsync(c, reveal: false, ct);
    }

    private Task<Case?> FindAsync(Guid id, CancellationToken ct) => cases.FindAsync(User, id, ct);

    private async Task<CaseActor> ActorAsync() => CaseActor.Staff((await users.GetUserAsync(User))!);

    private async Task<(FormDefinition Definition, Submission Submission, Guid? Department)> SubmissionAsync(Case c, CancellationToken ct)
    {
        var s = await db.Submissions.AsNoTracking().FirstAsync(x => x.Id == c.Id, ct);
        var department = await cases.DepartmentAsync(c, ct);
        return (await PublishedDefinitions.GetAsync(db, s.FormVersionId, ct), s, department);
    }

    /// <summary>Top-level fields and groups; files and sensitive answers cannot be corrected online (their values are not shown back).</summary>
    public static IReadOnlyList<Correctable> CorrectableOf(FormDefinition definition)
        => [.. definition.Pages.SelectMany(p => p.Items).Select(item => item switch
        {
            FormField f => new Correctable(f.Key, f.Label.Ja, f.Type == FieldType.File ? "ファイル" : SensitiveAnswers.IsSensitive(f) ? "機微情報" : null),
            FormGroup g => new Correctable(g.Key, g.Label.Ja,
                g.Fields.Any(f => f.Type == FieldType.File) ? "ファイルを含む" : g.Fields.Any(SensitiveAnswers.IsSensitive) ? "機微情報を含む" : null),
            _ => null,
        }).OfType<Correctable>()];

    private async Task<IActionResult> ShowAsync(Case c, bool reveal, CancellationToken ct)
    {
        Case = c;
        var (definition, submission, department) = await SubmissionAsync(c, ct);
        ProcedureId = c.ProcedureId;
        ProcedureName = await db.Procedures.Where(p => p.Id == c.ProcedureId).Select(p => p.Name).FirstAsync(ct);
        FormTitle = definition.Title.Ja;
        FormVersion = submission.FormVersionNumber;
        Workflow = await cases.WorkflowAsync(c.ProcedureId, ct);
        CanReveal = (await authorization.AuthorizeAsync(User, Policies.MyNumber)).Succeeded;
        HasSensitive = definition.Pages.SelectMany(p => p.Items).Any(i => i is FormField f && SensitiveAnswers.IsSensitive(f) || i is FormGroup g && g.Fields.Any(SensitiveAnswers.IsSensitive));
        var detail = $"案件の表示 受付番号 {c.ReceiptNumber}" + (reveal ? "（機微情報を表示）" : "");
        var (files, sealedValues) = await audit.ViewAsync(
            new AuditEvent(AuditActions.PersonalDataViewed, "case", c.Id.ToString()) { DepartmentId = department, Detail = detail },
            async t =>
            {
                var attached = await db.Attachments.AsNoTracking().Where(a => a.SubmissionId == c.Id)
                    .OrderBy(a => a.FieldKey).Select(a => new StaffSubmissionsModel.FileLink(a.Id, a.OriginalName, a.Size)).ToListAsync(t);
                // Each value read from the vault writes its own entry, in this same transaction.
                var values = reveal ? await vault.GetAllAsync(SubmissionService.SubmissionOwner, c.Id.ToString(), "案件画面での表示", t) : [];
                return (attached, values);
            }, ct);
        Files = files;
        var fileMap = files.ToDictionary(f => f.Id);
        JsonObject Parse(string json) => JsonNode.Parse(json) as JsonObject ?? [];
        var current = Parse(c.AnswersJson ?? submission.AnswersJson);
        Revealed = reveal;
        Answers = Lines(definition, reveal ? SensitiveAnswers.Merge(current, sealedValues) : current, fileMap, reveal);
        if (c.AnswersJson is not null) Original = Lines(definition, reveal ? SensitiveAnswers.Merge(Parse(submission.AnswersJson), sealedValues) : Parse(submission.AnswersJson), fileMap, reveal);

        var events = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == c.Id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        History = [.. events.Select(e => new HistoryLine(StaffSubmissionsModel.Jst(e.At), e.ActorName, What(e), e.Text))];
        var labels = CorrectableOf(definition).ToDictionary(x => x.Key, x => x.Label);
        var requests = await db.CorrectionRequests.AsNoTracking().Where(r => r.CaseId == c.Id).OrderBy(r => r.RequestedAt).ToListAsync(ct);
        Corrections = [.. requests.Select(r =>
        {
            var keys = JsonSerializer.Deserialize<List<string>>(r.FieldsJson) ?? [];
            return new CorrectionView(StaffSubmissionsModel.Jst(r.RequestedAt), r.AnsweredAt is { } a ? StaffSubmissionsModel.Jst(a) : null,
                [.. keys.Select(k => labels.GetValueOrDefault(k, k))], r.Message,
                Lines(definition, Only(Parse(r.BeforeJson), keys), fileMap, false),
                r.AfterJson is null ? null : Lines(definition, Only(Parse(r.AfterJson), keys), fileMap, false),
                r.AnsweredAt is not null || r.ClosedAt is not { } closed ? null
                    : $"回答なしで締切 {StaffSubmissionsModel.Jst(closed)}（{(r.ClosedReason == CorrectionRequest.Superseded ? "新しい補正依頼に置き換え" : "回答前に状態を移したため取り下げ")}）");
        })];
        CorrectableItems = CorrectableOf(definition);
        Assignable = await cases.AssignableAsync(c.ProcedureId, ct) ?? new Dictionary<string, string>();
        AssigneeName = c.AssigneeId is null ? null
            : Assignable.TryGetValue(c.AssigneeId, out var n) ? n
            : (await db.Users.Where(u => u.Id == c.AssigneeId).Select(StaffUser.Named).FirstOrDefaultAsync(ct))?.Name ?? c.AssigneeId;
        Overdue = CaseClock.IsOverdue(c, JapanTime.Today(clock));
        return Page();
    }

    private static JsonObject Only(JsonObject answers, IReadOnlyCollection<string> keys)
    {
        var o = new JsonObject();
        foreach (var k in keys)
        {
            if (answers[k] is { } v) o[k] = v.DeepClone();
        }
        return o;
    }

    /// <summary>Answers as staff read them; revealed sensitive values replace their masks.</summary>
    private static IReadOnlyList<StaffSubmissionsModel.AnswerLine> Lines(FormDefinition definition, JsonObject answers, IReadOnlyDictionary<Guid, StaffSubmissionsModel.FileLink> files, bool reveal)
    {
        if (!reveal) return SubmissionAnswers.Lines(definition, answers, files);
        // SubmissionAnswers masks by field type: show the revealed values with the sensitive flags lifted.
        var open = definition with
        {
            Pages = [.. definition.Pages.Select(p => p with
            {
                Items = [.. p.Items.Select(i => i switch
                {
                    FormField f when SensitiveAnswers.IsSensitive(f) => f with { Type = f.Type == FieldType.MyNumber ? FieldType.Text : f.Type, Sensitive = false },
                    FormGroup g => g with { Fields = [.. g.Fields.Select(f => SensitiveAnswers.IsSensitive(f) ? f with { Type = f.Type == FieldType.MyNumber ? FieldType.Text : f.Type, Sensitive = false } : f)] },
                    _ => i,
                })],
            })],
        };
        return SubmissionAnswers.Lines(open, answers, files);
    }

    private string What(CaseEvent e) => e.Kind switch
    {
        CaseEventKinds.Created => "受付",
        CaseEventKinds.Status => $"状態の変更: {Workflow.Name(e.FromStatus ?? "")} → {Workflow.Name(e.ToStatus ?? "")}",
        CaseEventKinds.Assigned => "担当者の変更",
        CaseEventKinds.Note => "メモ",
        CaseEventKinds.CorrectionRequested => "補正依頼",
        CaseEventKinds.CorrectionClosed => "補正依頼の締切",
        CaseEventKinds.Corrected => $"補正済み（申請者が修正）→ {Workflow.Name(e.ToStatus ?? "")}",
        _ => e.Kind,
    };

    public string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    /// <summary>Statuses the workflow allows from the current one, except 補正 (asked for with its own form below).</summary>
    public IEnumerable<CaseStatus> NextStatuses => (Workflow.Find(Case.Status)?.Next ?? [])
        .Select(Workflow.Find).OfType<CaseStatus>().Where(s => s.Kind != StatusKind.Correction);

    public bool CanRequestCorrection => Workflow.CorrectionStatus is { } to && Workflow.Allows(Case.Status, to);

    public static string Date(DateOnly d) => $"{Wareki.Format(d)}（{d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}）";
}
