using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Residents' submissions: the anonymous API <c>POST /api/v1/forms/{slug}/submissions</c> (no
/// cookies, rate limited, Idempotency-Key for safe retries) and the status page.
/// </summary>
public static class SubmissionsModule
{
    /// <summary>Larger request bodies are refused before they are read: answers are text, files go through the web form.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static WebApplicationBuilder AddSubmissions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PublishedForms>();
        builder.Services.AddSingleton<SubmissionWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SubmissionWriter>());
        builder.Services.AddScoped<SubmissionService>();
        builder.Services.AddScoped<DraftService>();
        builder.Services.AddScoped<AttachmentStore>();
        builder.Services.AddHostedService<DraftPurger>();
        builder.Services.AddSingleton<MailOutbox>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MailOutbox>());
        builder.Services.AddScoped<ResidentMail>();
        return builder;
    }

    public static WebApplication MapSubmissions(this WebApplication app)
    {
        // The handler reads the body itself (one pass, rented buffer); the metadata documents it.
        app.MapPost("/api/v1/forms/{slug}/submissions", SubmitAsync)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Submit)
            .DisableAntiforgery()
            .WithMetadata(new Api.ApiBody(typeof(SubmissionRequest)))
            .Produces<SubmittedResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithMetadata(new Api.ApiHeader("Idempotency-Key", "再送しても1件になるためのキー（1〜200文字の英数字と記号、UUID を推奨）。同じキーと同じ本文の再送には最初の受付番号を返します。"));
        return app;
    }

    public sealed record SubmittedResponse(string ReceiptNumber, string StatusUrl, int Version);

    /// <summary>The body as documented: answers by field key; optionally the version answered and the language of the mails (ja, en, easy).</summary>
    public sealed record SubmissionRequest(System.Text.Json.Nodes.JsonObject Answers, int? Version, string? Language);

    private static async Task<IResult> SubmitAsync(string slug, HttpRequest request, SubmissionService submissions, CancellationToken ct)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0 && (key.Length > 200 || key.Any(c => c is < '!' or > '~')))
        {
            return Problem(400, "Idempotency-Key が正しくありません。", "1〜200文字の英数字と記号（空白なし）で指定してください。UUID を推奨します。");
        }
        var (document, problem) = await Api.JsonBodies.ParseAsync(request, MaxBodyBytes, contentTypeRequired: false, NoAnswers(), ct);
        if (document is null) return problem!;
        // The answers are read as nodes after the document is gone: the node keeps its own copy of the root.
        JsonObject? body;
        using (document) body = document.RootElement.ValueKind == JsonValueKind.Object ? JsonObject.Create(document.RootElement.Clone()) : null;
        if (body is null || body["answers"] is not JsonObject answers) return NoAnswers();
        int? version = null;
        if (body["version"] is JsonNode v)
        {
            if (v.GetValueKind() != JsonValueKind.Number || !v.AsValue().TryGetValue<int>(out var number))
            {
                return Invalid([new("version", "invalid-version", "version は整数で指定してください。")]);
            }
            version = number;
        }
        var language = body["language"]?.GetValueKind() == JsonValueKind.String ? body["language"]!.GetValue<string>() : "ja";
        if (language is not ("ja" or "en" or "easy")) return Invalid([new("language", "invalid-language", "language は ja、en、easy のいずれかです。")]);

        var result = await submissions.SubmitAsync(slug, version, answers, AnswerChecker.Mode.Strict, language,
            key.Length > 0 ? key : null, "api", ct);
        return result switch
        {
            SubmissionService.Result.FormNotFound => Problem(404, $"公開中のフォーム '{slug}' はありません。", "GET /api/v1/forms で公開中のフォームを確かめてください。"),
            SubmissionService.Result.Closed => Problem(410, $"フォーム '{slug}' は受付を停止しています。", "新しい申請は受け付けていません。担当の課にお問い合わせください。"),
            SubmissionService.Result.VersionNotFound r => Invalid([new("version", "unknown-version", $"このフォームに版 {r.Requested} はありません。公開中の版は {r.Current} です。")]),
            SubmissionService.Result.Refused r => Invalid([.. r.Errors.Select(e => new ApiFieldError(e.Field, e.Code, e.Message.Ja))]),
            SubmissionService.Result.Limited r => Limited(r.Refusal),
            SubmissionService.Result.KeyReused => Problem(422, "この Idempotency-Key は別の内容の申請に使われています。", "新しい申請には新しいキーを使ってください。"),
            SubmissionService.Result.Accepted a => Results.Json(new SubmittedResponse(a.ReceiptNumber, a.StatusUrl, a.Version), statusCode: 201),
            _ => throw new InvalidOperationException(),
        };
    }

    public sealed record ApiFieldError(string Field, string Code, string Message);

    /// <summary>At most this many errors are listed in a 422; the rest are counted in <c>omittedErrors</c>.</summary>
    public const int MaxListedErrors = 100;

    private static IResult Invalid(IReadOnlyList<ApiFieldError> errors)
    {
        // A body of thousands of unknown keys would otherwise get an answer many times its size.
        var omitted = Math.Max(0, errors.Count - MaxListedErrors);
        var extensions = new Dictionary<string, object?> { ["errors"] = errors.Take(MaxListedErrors).ToList() };
        if (omitted > 0) extensions["omittedErrors"] = omitted;
        return Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "回答に誤りがあります。",
            detail: string.Join(" ", errors.Take(10).Select(e => $"{e.Field}: {e.Message}")) + (errors.Count > 10 ? $" ほか{errors.Count - 10}件。" : ""),
            extensions: extensions);
    }

    /// <summary>409 for the form's state (not open, closed, full), 422 with the field for this applicant (already applied); both carry the code.</summary>
    private static IResult Limited(Intake.IntakeRefusal r) => Results.Problem(
        statusCode: r.Status,
        title: r.Message.Ja,
        detail: r.Message.En,
        extensions: r.Status == StatusCodes.Status422UnprocessableEntity
            ? new Dictionary<string, object?> { ["code"] = r.Code, ["errors"] = new[] { new ApiFieldError(r.Field ?? "", r.Code, r.Message.Ja) } }
            : new Dictionary<string, object?> { ["code"] = r.Code });

    private static IResult NoAnswers() => Problem(400, "answers がありません。", "本文は {\"answers\": {項目キー: 回答}} の形で送ってください。");

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>
/// Parsed definitions of published versions. A version never changes once published, so its parsed
/// form can be kept for the life of the process without ever being stale.
/// </summary>
public static class PublishedDefinitions
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, FormDefinition> Parsed = new();

    public static async Task<FormDefinition> GetAsync(MadoguchiDbContext db, Guid versionId, CancellationToken ct)
    {
        if (Parsed.TryGetValue(versionId, out var definition)) return definition;
        var json = await db.FormVersions.AsNoTracking().Where(v => v.Id == versionId).Select(v => v.DefinitionJson).SingleAsync(ct);
        return Parsed.GetOrAdd(versionId, FormService.Definition(json));
    }

    /// <summary>Drops a version that never became real (the stand-in of a publish check, rolled back).</summary>
    public static void Forget(Guid versionId) => Parsed.TryRemove(versionId, out _);
}

/// <summary>Checks answers against the pinned form version and hands them to the <see cref="SubmissionWriter"/>.</summary>
public sealed class SubmissionService(MadoguchiDbContext db, PublishedForms forms, SubmissionWriter writer, IDataProtectionProvider protection, TimeProvider clock, ResidentMail mail, Protection.PersonalDataVault vault)
{
    public abstract record Result
    {
        public sealed record FormNotFound : Result;
        public sealed record Closed : Result;
        public sealed record VersionNotFound(int Requested, int Current) : Result;
        public sealed record Refused(IReadOnlyList<AnswerError> Errors) : Result;
        public sealed record KeyReused : Result;
        /// <summary>Refused by the form's intake rules (period, capacity, per person); nothing stored.</summary>
        public sealed record Limited(Intake.IntakeRefusal Refusal) : Result;
        public sealed record Accepted(Submission Submission, string ReceiptNumber, string StatusUrl, int Version, bool Replayed) : Result;
    }

    /// <summary>How often a submission without a version is checked again after a newer version was published meanwhile.</summary>
    private const int Attempts = 3;

    private IDataProtector Protector => protection.CreateProtector("Madoguchi.Submissions.StatusSecret");

    public async Task<Result> SubmitAsync(string slug, int? versionNumber, JsonObject answers, AnswerChecker.Mode mode, string language,
        string? idempotencyKey, string channel, CancellationToken ct, Guid? fromDraftId = null, string? applicantSubject = null, Cases.CaseStart? keyed = null)
    {
        // A retry whose first request was stored gets its receipt before anything else is decided: a form
        // changed since (a new version, a deadline passed) must not turn it into a refusal or a second application.
        if (idempotencyKey is not null && await EarlierAsync(slug, versionNumber, language, answers, idempotencyKey, ct) is { } earlier) return earlier;
        for (var attempt = 1; ; attempt++)
        {
            // The cached current version is confirmed by the writer, in the transaction that stores the submission.
            var current = await forms.CurrentAsync(db, slug, validate: false, ct);
            if (current is null) return new Result.FormNotFound();
            var version = versionNumber is not { } n || n == current.Number ? current : await forms.VersionAsync(db, current.FormId, n, ct);
            if (version is null) return await ClosedOrAsync(new Result.VersionNotFound(versionNumber!.Value, current.Number));
            // Without a version the resident gets the current one; on the last attempt the version the
            // answers were checked against stands (it is a published version all the same).
            var requireCurrent = versionNumber is null && attempt < Attempts;
            var result = await SubmitToAsync(version, current.Definition.Intake, answers, mode, language, idempotencyKey, versionNumber, channel, requireCurrent, fromDraftId, applicantSubject, keyed, ct);
            if (result is Result.Refused or Result.Limited)
            {
                // Refused against the cached current version, which a publish (here or on another instance) may
                // have replaced: answers written for the new version would be called wrong until something else
                // refreshed the cache. Before refusing, one query (which also says whether the form was stopped)
                // confirms the version; only refusals pay it.
                if (versionNumber is not null && fromDraftId is not null) return result;
                var (now, stopped) = await forms.OpeningAsync(db, slug, ct);
                if (stopped && fromDraftId is null) return new Result.Closed();
                if (requireCurrent && now is not null && now.VersionId != version.VersionId) continue;
                return result;
            }
            if (result is not null) return result;
            forms.Forget(slug);
        }

        // Whether the form was stopped is learnt in the writer, which a refused submission never reaches: before
        // asking the resident to change the answers, make sure the form still takes them. Only refusals pay the query.
        async Task<Result> ClosedOrAsync(Result refusal)
            => fromDraftId is null && await PublishedForms.StoppedAsync(db, slug, ct) ? new Result.Closed() : refusal;
    }

    /// <returns>Null when the form has a newer current version than <paramref name="version"/> and <paramref name="requireCurrent"/> is set.</returns>
    /// <param name="intake">The intake rules of the form's current version: they apply to every application, whichever
    /// version it was filled in on (a deadline moved by a new version moves for everyone).</param>
    private async Task<Result?> SubmitToAsync(PublishedVersion version, Intake.IntakeRules? intake, JsonObject answers, AnswerChecker.Mode mode, string language,
        string? idempotencyKey, int? requestedVersion, string channel, bool requireCurrent, Guid? fromDraftId, string? applicantSubject, Cases.CaseStart? keyed, CancellationToken ct)
    {
        var definition = version.Definition;
        var now = clock.GetUtcNow();
        // A paper application counts from the day it was received (消印・到着日), not from the day it is keyed.
        if (Intake.IntakeGate.CheckPeriod(intake, ReceivedInstant(intake, keyed?.ReceivedOn, now)) is { } outside) return new Result.Limited(outside);
        var checkedAnswers = AnswerChecker.Check(definition, answers, mode);
        if (!checkedAnswers.IsValid) return new Result.Refused(checkedAnswers.Errors);

        var secret = ReceiptNumbers.NewSecret();
        // Sensitive answers never reach the answers JSON: they are sealed under the submission's id and
        // written by the writer in the same transaction as the submission.
        var (plain, sensitive) = SensitiveAnswers.Split(definition, checkedAnswers.Answers);
        var answersJson = plain.ToJsonString();
        var submission = new Submission
        {
            FormId = version.FormId,
            FormVersionId = version.VersionId,
            FormVersionNumber = version.Number,
            ReceiptNumber = ReceiptNumbers.NewReceiptNumber(),
            SecretHash = ReceiptNumbers.Hash(secret),
            // Kept recoverable only where a retry under the same key must be answered with the same
            // status link; without a key nothing ever asks for it back.
            SecretProtected = idempotencyKey is null ? "" : Protector.Protect(secret),
            AnswersJson = answersJson,
            Language = language,
            SubmittedAt = now,
            IdempotencyKey = idempotencyKey,
            RequestHash = idempotencyKey is null ? null : RequestHash(version.Definition, requestedVersion, language, answers),
            Channel = channel,
            FromDraftId = fromDraftId,
            Case = (keyed ?? new Cases.CaseStart()) with { SearchText = Cases.CaseIntake.SearchText(definition, plain) },
        };
        if (Intake.IntakeGate.Prepare(intake, submission, checkedAnswers.Answers, applicantSubject) is { } refusal) return new Result.Limited(refusal);
        foreach (var (path, json) in sensitive)
        {
            submission.Sealed.Add(await vault.SealAsync(SubmissionOwner, submission.Id.ToString(), path, json, ct));
        }
        // Stopped forms take no new applications (the writer checks in the storing transaction); a
        // draft started before the stop may still be sent.
        var outcome = await writer.SubmitAsync(submission, requireCurrent, refuseIfStopped: fromDraftId is null, ct);
        if (outcome.Stopped) return new Result.Closed();
        if (outcome.NotCurrent) return null;
        if (outcome.Refused is { } limited) return new Result.Limited(limited);
        if (outcome.KeyReusedWithOtherAnswers) return new Result.KeyReused();
        var stored = outcome.Stored;
        var storedSecret = outcome.Replayed ? Protector.Unprotect(stored.SecretProtected) : secret;
        var statusUrl = StatusUrl(stored.ReceiptNumber, storedSecret);
        // Only now, with the submission durable, and once: a retry of the same request sends nothing.
        if (!outcome.Replayed) mail.QueueAcknowledgement(stored, definition, statusUrl);
        return new Result.Accepted(stored, stored.ReceiptNumber, statusUrl, stored.FormVersionNumber, outcome.Replayed);
    }

    /// <summary>
    /// The instant the intake period is checked at: now, or for a paper application received on an
    /// earlier day, the moment of that day that is inside the period if any is (only the day is known).
    /// </summary>
    public static DateTimeOffset ReceivedInstant(Intake.IntakeRules? intake, DateOnly? receivedOn, DateTimeOffset now)
    {
        if (receivedOn is not { } day || day >= Shared.Japanese.JapanTime.DateOf(now)) return now;
        var start = Cases.CaseIntake.StartOfDay(day);
        return intake?.Opens is { } opens && opens > start && opens < start.AddDays(1) ? opens : start;
    }

    /// <summary>
    /// SHA-256 of the request as the client sent it (form, the version it asked for if any, language, answers), not of
    /// what the server made of it (the version it picked, the normalised answers): a retry after a new version was
    /// published is still the same request. Sensitive answers go in masked as they are stored, so the hash never
    /// lets a 個人番号 be found by trying all of them against a copy of the database.
    /// </summary>
    /// <param name="definition">The version the first request was stored on: it says which answers are sensitive.</param>
    public static string RequestHash(FormDefinition definition, int? versionNumber, string language, JsonObject answers)
    {
        var (plain, _) = SensitiveAnswers.Split(definition, answers);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{definition.Slug}\n{versionNumber}\n{language}\n{plain.ToJsonString()}")));
    }

    /// <summary>
    /// The answer to a retry whose first request was stored: its receipt when the request is the same, a refusal when
    /// the key came with another request; null when the key is new (a race of retries is settled by the writer).
    /// </summary>
    private async Task<Result?> EarlierAsync(string slug, int? versionNumber, string language, JsonObject answers, string idempotencyKey, CancellationToken ct)
    {
        var stored = await db.Submissions.AsNoTracking().FirstOrDefaultAsync(s => s.IdempotencyKey == idempotencyKey && s.Form!.Slug == slug, ct);
        if (stored is null) return null;
        var definition = await PublishedDefinitions.GetAsync(db, stored.FormVersionId, ct);
        if (stored.RequestHash != RequestHash(definition, versionNumber, language, answers)) return new Result.KeyReused();
        return new Result.Accepted(stored, stored.ReceiptNumber, StatusUrl(stored.ReceiptNumber, Protector.Unprotect(stored.SecretProtected)), stored.FormVersionNumber, Replayed: true);
    }

    /// <summary>The submission already made with this idempotency key for the form (a resubmitted page after its draft is gone), or null.</summary>
    /// <remarks>A null <paramref name="slug"/> looks in every form (a staff-keyed draft's key names its draft, not its form).</remarks>
    public async Task<Result.Accepted?> FindAsync(string? slug, string idempotencyKey, CancellationToken ct)
    {
        var stored = await db.Submissions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.IdempotencyKey == idempotencyKey && (slug == null || s.Form!.Slug == slug), ct);
        return stored is null ? null
            : new Result.Accepted(stored, stored.ReceiptNumber, StatusUrl(stored.ReceiptNumber, Protector.Unprotect(stored.SecretProtected)), stored.FormVersionNumber, Replayed: true);
    }

    /// <summary>Owner type of a submission's sealed answers in the vault (field = answer path).</summary>
    public const string SubmissionOwner = "submission";

    /// <summary>The status page of a receipt; the secret travels in the fragment-free query and is never logged by the app.</summary>
    public static string StatusUrl(string receiptNumber, string secret) => $"/status/{receiptNumber}?key={secret}";
}
