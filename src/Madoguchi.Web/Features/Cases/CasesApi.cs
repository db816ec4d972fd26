using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The ledger for core systems (基幹系), RPA and a back-office instance in the LGWAN zone, with
/// personal access tokens (cases:read, cases:write). Department-scoped like the pages: another
/// department's case answers 404. Lists page by <see cref="Case.Sequence"/> (commit order), so a
/// client that keeps its cursor sees every case exactly once, also while cases are arriving.
/// </summary>
public static class CasesApi
{
    public sealed record Item(Guid Id, long Sequence, string ReceiptNumber, Guid ProcedureId, string Channel, string Status, string StatusName,
        DateTimeOffset ReceivedAt, DateOnly? DueOn, bool ClockStopped, DateTimeOffset? ClosedAt, string? AssigneeId, DateTimeOffset UpdatedAt, int Revision, string Url);
    /// <summary><paramref name="NextCursor"/> is always given: keep it and ask again later for the cases that arrive after.</summary>
    public sealed record Page(IReadOnlyList<Item> Items, string NextCursor, bool HasMore);
    public sealed record FileLink(Guid Id, string Field, string Name, string Kind, long Size, string Url);
    public sealed record HistoryLine(DateTimeOffset At, string Kind, string Actor, string? From, string? To, string Text, bool Public);
    public sealed record Detail(Item Case, int FormVersion, JsonObject Answers, JsonObject? OriginalAnswers, IReadOnlyList<FileLink> Attachments, IReadOnlyList<HistoryLine> History);
    public sealed record StatusBody(string? Status, string? Comment, int? Revision);
    public sealed record NoteBody(string? Text);

    public const int MaxLimit = 200;

    public static void MapCasesApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").RequireRateLimiting(RateLimits.Token);
        api.MapGet("/procedures/{procedureId:guid}/cases", ListAsync).RequireAuthorization(Policies.Cases);
        api.MapGet("/cases/{id:guid}", GetAsync).RequireAuthorization(Policies.Cases);
        api.MapGet("/cases/{id:guid}/files/{fileId:guid}", FileAsync).RequireAuthorization(Policies.Cases);
        // Bodies are read by hand (Api.JsonBodies) so a bad one is told what is wrong; Accepts keeps them in the OpenAPI document.
        api.MapPost("/cases/{id:guid}/status", StatusAsync).RequireAuthorization(Policies.CasesWrite).DisableAntiforgery().Accepts<StatusBody>("application/json");
        api.MapPost("/cases/{id:guid}/notes", NoteAsync).RequireAuthorization(Policies.CasesWrite).DisableAntiforgery().Accepts<NoteBody>("application/json");
    }

    private static async Task<IResult> ListAsync(Guid procedureId, string? status, string? channel, string? receivedFrom, string? receivedTo, string? cursor, string? limit,
        ClaimsPrincipal user, CaseService cases, CancellationToken ct)
    {
        var errors = new List<KpiError>();
        var size = 50;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            errors.Add(new("limit", "invalid_limit", $"limit '{limit}' は使えません。1から{MaxLimit}までの整数を指定してください。"));
        }
        long after = 0;
        if (cursor is not null && !TryReadCursor(cursor, out after)) errors.Add(new("cursor", "invalid_cursor", "cursor が正しくありません。前の応答の nextCursor をそのまま指定してください。"));
        CaseChannel? byChannel = null;
        if (channel is not null && (byChannel = CaseChannels.Parse(channel)) is null) errors.Add(new("channel", "invalid_channel", $"channel '{channel}' は使えません。online、counter、mail のいずれかです。"));
        var from = Date(receivedFrom, "receivedFrom", errors);
        var to = Date(receivedTo, "receivedTo", errors);
        if (errors.Count > 0) return InsightModule.Invalid(errors);
        if (await cases.VisibleAsync(user, procedureId, ct) is not { } visible) return NotFound("手続");

        var workflow = await cases.WorkflowAsync(procedureId, ct);
        // An unknown status would match nothing: a typo must not look like an empty ledger.
        if (status is not null && workflow.Find(status) is null)
        {
            return InsightModule.Invalid([new("status", "invalid_status",
                $"status '{status}' はこの手続の状態にありません。{string.Join("、", workflow.Statuses.Select(s => $"{s.Code}（{s.Name("ja")}）"))} のいずれかです。")]);
        }
        var q = visible.AsNoTracking().Where(c => c.Sequence > after);
        if (status is not null) q = q.Where(c => c.Status == status);
        if (byChannel is { } ch) q = q.Where(c => c.Channel == ch);
        if (from is { } f) q = q.Where(c => c.ReceivedOn >= f);
        if (to is { } t) q = q.Where(c => c.ReceivedOn <= t);
        var rows = await q.OrderBy(c => c.Sequence).Take(size + 1).ToListAsync(ct);
        var items = rows.Take(size).Select(c => ToItem(c, workflow)).ToList();
        var last = items.Count > 0 ? items[^1].Sequence : after;
        return Results.Ok(new Page(items, WriteCursor(last), rows.Count > size));
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, CaseService cases, MadoguchiDbContext db, AuditTrail audit, CancellationToken ct)
    {
        var c = await cases.FindAsync(user, id, ct);
        if (c is null) return NotFound("申請");
        var workflow = await cases.WorkflowAsync(c.ProcedureId, ct);
        var department = await cases.DepartmentAsync(c, ct);
        // The answers are personal data: no audit entry, no answers.
        var (submission, files, history) = await audit.ViewAlongsideAsync(
            new AuditEvent(AuditActions.PersonalDataViewed, "case", id.ToString()) { DepartmentId = department, Detail = $"API 申請の取得 token={user.FindFirstValue(ApiTokens.TokenClaim)}" },
            async t => (
                await db.Submissions.AsNoTracking().SingleAsync(s => s.Id == id, t),
                await db.Attachments.AsNoTracking().Where(a => a.SubmissionId == id).OrderBy(a => a.FieldKey).ThenBy(a => a.Id).ToListAsync(t),
                await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(t)),
            ct);
        var original = JsonNode.Parse(submission.AnswersJson) as JsonObject ?? [];
        var current = c.AnswersJson is null ? original : JsonNode.Parse(c.AnswersJson) as JsonObject ?? [];
        return Results.Ok(new Detail(
            ToItem(c, workflow),
            submission.FormVersionNumber,
            current,
            c.AnswersJson is null ? null : original,
            [.. files.Select(a => new FileLink(a.Id, a.FieldKey, a.OriginalName, a.Kind, a.Size, $"/api/v1/cases/{id}/files/{a.Id}"))],
            [.. history.Select(e => new HistoryLine(e.At, e.Kind, e.ActorName, e.FromStatus, e.ToStatus, e.Text, e.Public))]));
    }

    private static async Task<IResult> FileAsync(Guid id, Guid fileId, ClaimsPrincipal user, HttpContext http, CaseService cases, CancellationToken ct)
    {
        var c = await cases.FindAsync(user, id, ct);
        if (c is null) return NotFound("申請");
        var file = await cases.OpenFileAsync(c, fileId, $"API 添付ファイルの取得 token={user.FindFirstValue(ApiTokens.TokenClaim)}", ct);
        // The same answer as the case page's download: attachment, octet-stream, no-store (personal data).
        return file is { } f ? CaseService.Download(http.Response, f) : NotFound("添付ファイル");
    }

    private static async Task<IResult> StatusAsync(Guid id, HttpRequest request, ClaimsPrincipal user, CaseService cases, CancellationToken ct)
    {
        var (body, problem) = await Api.JsonBodies.ReadAsync<StatusBody>(request, ct);
        if (body is null) return problem!;
        if (string.IsNullOrWhiteSpace(body.Status)) return InsightModule.Invalid([new("status", "required", "status に移す先の状態のコード（例: completed）を指定してください。")]);
        var c = await cases.FindAsync(user, id, ct);
        if (c is null) return NotFound("申請");
        if (body.Revision is int r && r != c.Revision) return Conflict();
        var outcome = await cases.ChangeStatusAsync(c, body.Status, Actor(user), body.Comment, ct);
        return outcome switch
        {
            CaseChange.Refused no => InsightModule.Invalid([new("status", "transition_not_allowed", no.Message)]),
            CaseChange.Conflict => Conflict(),
            _ => Results.Ok(ToItem(c, await cases.WorkflowAsync(c.ProcedureId, ct))),
        };
    }

    private static async Task<IResult> NoteAsync(Guid id, HttpRequest request, ClaimsPrincipal user, CaseService cases, CancellationToken ct)
    {
        var (body, problem) = await Api.JsonBodies.ReadAsync<NoteBody>(request, ct);
        if (body is null) return problem!;
        var c = await cases.FindAsync(user, id, ct);
        if (c is null) return NotFound("申請");
        return await cases.AddNoteAsync(c, body.Text, Actor(user), ct) switch
        {
            CaseChange.Refused no => InsightModule.Invalid([new("text", "invalid_note", no.Message)]),
            CaseChange.Conflict => Conflict(),
            _ => Results.Created($"/api/v1/cases/{id}", null),
        };
    }

    private static CaseActor Actor(ClaimsPrincipal user) => new(user.FindFirstValue(ClaimTypes.NameIdentifier), $"{user.Identity?.Name}（API）");

    private static Item ToItem(Case c, CaseWorkflow workflow) => new(c.Id, c.Sequence, c.ReceiptNumber, c.ProcedureId, CaseChannels.Code(c.Channel), c.Status, workflow.Name(c.Status),
        c.ReceivedAt, c.DueOn, c.ClockStoppedOn is not null, c.ClosedAt, c.AssigneeId, c.UpdatedAt, c.Revision, $"/api/v1/cases/{c.Id}");

    private static DateOnly? Date(string? text, string field, List<KpiError> errors)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        errors.Add(new(field, "invalid_date", $"{field} '{text}' は日付として読めません。yyyy-MM-dd（例: 2026-04-01）で指定してください。"));
        return null;
    }

    private static IResult NotFound(string what) => Results.Problem(statusCode: 404, title: $"{what}が見つかりません。", detail: "id と、トークンの持ち主の所属課が扱う手続かどうかを確かめてください。");

    private static IResult Conflict() => Results.Problem(statusCode: 409, title: "申請は他の操作で変更されています。", detail: "GET で最新の状態と revision を読み直してから、もう一度送ってください。");

    private static string WriteCursor(long sequence) => Convert.ToBase64String(Encoding.ASCII.GetBytes("s:" + sequence.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadCursor(string cursor, out long sequence)
    {
        sequence = 0;
        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("s:", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
