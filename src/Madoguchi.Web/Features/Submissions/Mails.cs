using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;
using Madoguchi.Web.Shared.Mail;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>A plain-text e-mail ready to send.</summary>
public sealed record MailMessageText(string To, string Subject, string Body);

/// <summary>
/// Templates of the e-mails residents get, per language (ja / en / やさしい日本語 without ruby). Plain
/// text only: a form title or an answer holding HTML reaches the mail client as the same characters,
/// never as markup. Answers are never copied into a mail (a mailbox is not a safe place for them).
/// </summary>
public static class Mails
{
    /// <summary>受付 acknowledgement: receipt number, form title, received time (和暦 and 西暦) and status link.</summary>
    public static MailMessageText Acknowledgement(string to, string language, string formTitle, string receiptNumber, DateTimeOffset receivedAt, string statusUrl)
    {
        var when = TimeZoneInfo.ConvertTime(receivedAt, JapanTime.Zone);
        var wareki = $"{Wareki.Format(DateOnly.FromDateTime(when.DateTime))} {when.ToString("H:mm", CultureInfo.InvariantCulture)}";
        var seireki = when.ToString("yyyy年M月d日 H:mm", CultureInfo.InvariantCulture);
        return language switch
        {
            "en" => new(to, $"Application received: {receiptNumber}",
                $"""
                We have received your application.

                Form: {formTitle}
                Receipt number: {receiptNumber}
                Received: {when.ToString("d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture)} Japan time ({wareki})

                You can check the status of your application here:
                {statusUrl}

                Keep this e-mail: the link works only with the key it contains. Please quote the receipt number when you contact us.
                This e-mail was sent automatically; replies are not read.
                """),
            "easy" => new(to, $"申請を 受け取りました（受付番号 {receiptNumber}）",
                $"""
                あなたの 申請を 受け取りました。

                申請: {formTitle}
                受付番号: {receiptNumber}
                受け取った 日と 時間: {wareki}（{seireki}）日本の 時間

                申請が 今 どうなって いるか、ここで 見ることが できます。
                {statusUrl}

                この メールを 消さないで ください。
                市役所に 聞く ときは 受付番号を 言って ください。
                この メールに 返事を しないで ください。
                """),
            _ => new(to, $"申請を受け付けました（受付番号 {receiptNumber}）",
                $"""
                申請を受け付けました。

                申請: {formTitle}
                受付番号: {receiptNumber}
                受付日時: {wareki}（{seireki}）日本時間

                申請の状況は次のページで確認できます。
                {statusUrl}

                このリンクは確認用の鍵を含みます。メールは大切に保管し、他の人に転送しないでください。
                お問い合わせの際は受付番号をお伝えください。
                このメールは送信専用です。返信はお受けできません。
                """),
        };
    }

    /// <summary>
    /// "Save and continue later": a link that opens the resume page with the code filled in (the
    /// resident still presses the button, see FormResumeModel), the page and code to type by hand, and
    /// the expiry date.
    /// </summary>
    public static MailMessageText ResumeLink(string to, string language, string formTitle, string code, string resumeUrl, DateTimeOffset expiresAt)
    {
        var link = $"{resumeUrl}?code={Uri.EscapeDataString(code)}";
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(expiresAt, JapanTime.Zone).DateTime);
        var wareki = Wareki.Format(date);
        var seireki = date.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);
        return language switch
        {
            "en" => new(to, "Continue your application later",
                $"""
                Your answers to "{formTitle}" are saved.

                To continue on any device, open this link:
                {link}

                Or open {resumeUrl} and enter this resume code:
                {code}

                The code works once. Your saved answers are kept until {date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)} ({wareki}); after that they are deleted.
                This e-mail was sent automatically; replies are not read.
                """),
            "easy" => new(to, "申請の 続きを する ための コード",
                $"""
                「{formTitle}」の 答えを 保存しました。

                続きを する ときは、ここを 開いて ください。
                {link}

                または、ここを 開いて、この コードを 入れて ください。
                {resumeUrl}
                {code}

                コードは 1回だけ 使えます。
                {wareki}（{seireki}）まで 保存します。その あとは 消えます。
                この メールに 返事を しないで ください。
                """),
            _ => new(to, "申請の続きを行うための再開コード",
                $"""
                「{formTitle}」の入力内容を一時保存しました。

                続きを入力するには、次のリンクを開いてください（パソコンなど別の端末でも開けます）。
                {link}

                リンクが開けない場合は、次のページを開き、再開コードを入力してください。
                {resumeUrl}
                再開コード: {code}

                再開コードは1回だけ使えます。保存した内容は{wareki}（{seireki}）まで保管し、その後削除します。
                このメールは送信専用です。返信はお受けできません。
                """),
        };
    }

    /// <summary>The first answered top-level e-mail field, or null when the resident gave none.</summary>
    public static string? EmailAnswer(FormDefinition definition, JsonObject answers)
    {
        foreach (var field in definition.Pages.SelectMany(p => p.Items).OfType<FormField>().Where(f => f.Type == FieldType.Email))
        {
            if (answers[field.Key] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)) return s.Trim();
        }
        return null;
    }

    public static Language ToLanguage(string language) => language switch { "en" => Language.En, "easy" => Language.Easy, _ => Language.Ja };
}

/// <summary>
/// Builds residents' mails with absolute links and queues them. Sending happens off the request, after
/// the submission is durable: a slow or broken SMTP server neither delays nor fails an application.
/// </summary>
public sealed class ResidentMail(MadoguchiDbContext db, MailOutbox outbox, IHttpContextAccessor http, IConfiguration configuration)
{
    /// <summary>Queues the acknowledgement of a stored submission when its answers hold an e-mail address.</summary>
    public void QueueAcknowledgement(Submission submission, FormDefinition definition, string statusPath)
    {
        if (!outbox.Enabled) return;
        var to = Mails.EmailAnswer(definition, JsonNode.Parse(submission.AnswersJson) as JsonObject ?? []);
        if (to is null) return;
        var title = definition.Title.Plain(Mails.ToLanguage(submission.Language));
        outbox.Enqueue(Mails.Acknowledgement(to, submission.Language, title, submission.ReceiptNumber, submission.SubmittedAt, Origin() + statusPath));
    }

    /// <summary>E-mails a resume code for "save and continue later" (code from <see cref="DraftService.NewResumeCodeAsync"/>).</summary>
    /// <returns>False when no mail server is configured: show the code on the page instead.</returns>
    public async Task<bool> SendResumeLinkAsync(Draft draft, string code, string email, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!outbox.Enabled) return false;
        var definition = await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct);
        var title = definition.Title.Plain(Mails.ToLanguage(draft.Language));
        outbox.Enqueue(Mails.ResumeLink(email, draft.Language, title, code, Origin() + "/forms/resume", draft.ExpiresAt));
        return true;
    }

    /// <summary>Madoguchi:PublicOrigin when set (behind a proxy the request's host may be an internal one), else the request's origin.</summary>
    private string Origin()
    {
        if (configuration[Passkeys.PublicOriginSetting] is { Length: > 0 } configured) return configured.TrimEnd('/');
        var request = http.HttpContext?.Request;
        return request is null ? "" : $"{request.Scheme}://{request.Host}";
    }
}

/// <summary>Sends queued residents' mails one by one; a failure is logged and the mail dropped (the receipt stands on its own).</summary>
public sealed class MailOutbox(MailSender sender, ILogger<MailOutbox> log) : BackgroundService
{
    private readonly Channel<MailMessageText> _queue = Channel.CreateBounded<MailMessageText>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    public bool Enabled => sender.Configured;

    public void Enqueue(MailMessageText mail)
    {
        if (!_queue.Writer.TryWrite(mail)) log.LogWarning("Mail queue full: a resident's mail ({Subject}) was not sent", mail.Subject);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                await sender.SendAsync(mail.To, mail.Subject, mail.Body, timeout.Token);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The address is personal data: the log says which mail failed, not to whom.
                log.LogError(e, "A resident's mail ({Subject}) could not be sent", mail.Subject);
            }
        }
    }
}
