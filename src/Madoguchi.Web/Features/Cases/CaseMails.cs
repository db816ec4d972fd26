using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>One mail's subject and body with placeholders ({procedure}, {receipt}, {status}, …).</summary>
public sealed record MailTemplate([property: JsonPropertyName("subject")] string Subject, [property: JsonPropertyName("body")] string Body);

/// <summary>
/// A procedure's notification templates (LedgerSettings.TemplatesJson): per kind ("status" for a
/// status change, "correction" for a 補正依頼) and language (ja, en, easy). A missing one uses the
/// default text; mails are plain text and never carry answers.
/// </summary>
public static partial class CaseTemplates
{
    public const string StatusKind = "status";
    public const string CorrectionKind = "correction";
    public static readonly string[] Kinds = [StatusKind, CorrectionKind];
    public static readonly string[] Languages = ["ja", "en", "easy"];

    /// <summary>Placeholders each kind may use; the correction mail must carry its link.</summary>
    public static IReadOnlyList<string> Placeholders(string kind) => kind == CorrectionKind
        ? ["procedure", "receipt", "status", "statusUrl", "message", "correctionUrl"]
        : ["procedure", "receipt", "status", "statusUrl"];

    public static MailTemplate Default(string kind, string language) => (kind, language) switch
    {
        (CorrectionKind, "en") => new("Please correct your application: {receipt}",
            """
            The section in charge asks you to correct or complete your application.

            Procedure: {procedure}
            Receipt number: {receipt}

            Message from the section:
            {message}

            Correct it here (the link works once):
            {correctionUrl}

            Status of your application:
            {statusUrl}

            This e-mail was sent automatically; replies are not read.
            """),
        (CorrectionKind, "easy") => new("申請を なおして ください（受付番号 {receipt}）",
            """
            あなたの 申請を なおして ください。

            申請: {procedure}
            受付番号: {receipt}

            市役所からの メッセージ:
            {message}

            ここを 開いて なおして ください。1回だけ 使えます。
            {correctionUrl}

            申請が 今 どうなって いるか、ここで 見ることが できます。
            {statusUrl}

            この メールに 返事を しないで ください。
            """),
        (CorrectionKind, _) => new("申請内容の補正のお願い（受付番号 {receipt}）",
            """
            申請内容について、担当課から補正（修正・追加）のお願いがあります。

            申請: {procedure}
            受付番号: {receipt}

            担当課からのメッセージ:
            {message}

            次のリンクから修正してください（1回だけ使えます）。
            {correctionUrl}

            申請の状況は次のページで確認できます。
            {statusUrl}

            このメールは送信専用です。返信はお受けできません。
            """),
        (_, "en") => new("Your application is now: {status} ({receipt})",
            """
            The status of your application has changed.

            Procedure: {procedure}
            Receipt number: {receipt}
            New status: {status}

            Status of your application:
            {statusUrl}

            This e-mail was sent automatically; replies are not read.
            """),
        (_, "easy") => new("申請の ようすが かわりました（受付番号 {receipt}）",
            """
            あなたの 申請の ようすが かわりました。

            申請: {procedure}
            受付番号: {receipt}
            今の ようす: {status}

            ここで 見ることが できます。
            {statusUrl}

            この メールに 返事を しないで ください。
            """),
        _ => new("申請の状況が「{status}」になりました（受付番号 {receipt}）",
            """
            申請の状況が変わりました。

            申請: {procedure}
            受付番号: {receipt}
            現在の状況: {status}

            申請の状況は次のページで確認できます。
            {statusUrl}

            このメールは送信専用です。返信はお受けできません。
            """),
    };

    /// <summary>The stored templates (kind → language → template); empty for none.</summary>
    public static Dictionary<string, Dictionary<string, MailTemplate>> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, MailTemplate>>>(json) ?? [];
        }
        catch (JsonException)
        {
            // A damaged setting must not stop notifications: the defaults are used.
            return [];
        }
    }

    public static string ToJson(Dictionary<string, Dictionary<string, MailTemplate>> templates)
        => JsonSerializer.Serialize(templates, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true });

    public static MailTemplate For(string? json, string kind, string language)
        => Parse(json).TryGetValue(kind, out var byLanguage) && byLanguage.TryGetValue(language, out var t) && t.Subject.Length > 0 && t.Body.Length > 0
            ? t : Default(kind, language);

    /// <summary>What is wrong with a template a member of staff wrote, in Japanese; empty when it is fine.</summary>
    public static List<string> Check(string kind, string languageLabel, MailTemplate t)
    {
        var errors = new List<string>();
        var allowed = Placeholders(kind);
        foreach (var (text, part) in new[] { (t.Subject, "件名"), (t.Body, "本文") })
        {
            foreach (Match m in Placeholder().Matches(text))
            {
                if (!allowed.Contains(m.Groups[1].Value))
                {
                    errors.Add($"{languageLabel}の{part}にある {{{m.Groups[1].Value}}} は使えません。使える差し込み: {string.Join(" ", allowed.Select(a => "{" + a + "}"))}");
                }
            }
        }
        if (t.Subject.Contains('\n', StringComparison.Ordinal)) errors.Add($"{languageLabel}の件名は1行にしてください。");
        if (kind == CorrectionKind && !t.Body.Contains("{correctionUrl}", StringComparison.Ordinal))
        {
            errors.Add($"{languageLabel}の補正依頼の本文に {{correctionUrl}}（修正のリンク）を入れてください。リンクがないと申請者が修正できません。");
        }
        return errors;
    }

    public static string Fill(string text, IReadOnlyDictionary<string, string> values)
        => Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>
/// Mails the applicant on each status change of their case (an <see cref="ICaseObserver"/>) and with
/// the link of a 補正依頼, from the procedure's templates in the language they applied in, to the
/// e-mail address they gave. Queued on the outbox: a broken mail server never fails a change.
/// </summary>
public sealed class CaseMailer(MadoguchiDbContext db, MailOutbox outbox, IHttpContextAccessor http, IConfiguration configuration, IDataProtectionProvider protection) : ICaseObserver
{
    public async Task StatusChangedAsync(Case c, string from, string to, CaseWorkflow workflow, CancellationToken ct)
    {
        // The 補正依頼 has its own mail with the link, sent by whoever asked for it (see CorrectionRequestedAsync).
        if (workflow.Find(to)?.Kind == StatusKind.Correction) return;
        await SendAsync(c, CaseTemplates.StatusKind, to, workflow, null, null, ct);
    }

    public Task CorrectionRequestedAsync(Case c, CorrectionRequest request, string secret, CaseWorkflow workflow, CancellationToken ct)
        => SendAsync(c, CaseTemplates.CorrectionKind, c.Status, workflow, request.Message, "/corrections/" + secret, ct);

    private async Task SendAsync(Case c, string kind, string status, CaseWorkflow workflow, string? message, string? correctionPath, CancellationToken ct)
    {
        if (!outbox.Enabled) return;
        var s = await db.Submissions.AsNoTracking().Where(x => x.Id == c.Id)
            .Select(x => new { x.Language, x.AnswersJson, x.FormVersionId, x.ReceiptNumber, x.SecretProtected }).FirstOrDefaultAsync(ct);
        if (s is null) return;
        var definition = await PublishedDefinitions.GetAsync(db, s.FormVersionId, ct);
        var to = Mails.EmailAnswer(definition, JsonNode.Parse(c.AnswersJson ?? s.AnswersJson) as JsonObject ?? []);
        if (to is null) return;
        var language = s.Language is "en" or "easy" ? s.Language : "ja";
        var templates = await db.LedgerSettings.AsNoTracking().Where(x => x.ProcedureId == c.ProcedureId).Select(x => x.TemplatesJson).FirstOrDefaultAsync(ct);
        var template = CaseTemplates.For(templates, kind, language);
        var origin = Origin();
        var values = new Dictionary<string, string>
        {
            ["procedure"] = definition.Title.Plain(Mails.ToLanguage(language)),
            ["receipt"] = s.ReceiptNumber,
            ["status"] = workflow.Name(status, language),
            ["statusUrl"] = origin + StatusPath(s.ReceiptNumber, s.SecretProtected),
            ["message"] = message ?? "",
            ["correctionUrl"] = correctionPath is null ? "" : origin + correctionPath,
        };
        outbox.Enqueue(new MailMessageText(to, CaseTemplates.Fill(template.Subject, values), CaseTemplates.Fill(template.Body, values)));
    }

    /// <summary>
    /// The status page with its key when the submission kept it recoverable (web applications do);
    /// otherwise the page alone, where the applicant types the key from the acknowledgement.
    /// </summary>
    private string StatusPath(string receipt, string secretProtected)
    {
        if (secretProtected.Length == 0) return $"/status/{receipt}";
        try
        {
            // The purpose SubmissionService protects the status secret under.
            return SubmissionService.StatusUrl(receipt, protection.CreateProtector("Madoguchi.Submissions.StatusSecret").Unprotect(secretProtected));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return $"/status/{receipt}";
        }
    }

    private string Origin()
    {
        if (configuration[Passkeys.PublicOriginSetting] is { Length: > 0 } configured) return configured.TrimEnd('/');
        var request = http.HttpContext?.Request;
        return request is null ? "" : $"{request.Scheme}://{request.Host}";
    }
}
