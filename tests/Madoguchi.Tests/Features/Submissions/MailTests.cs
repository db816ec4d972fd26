using System.Buffers;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Madoguchi.Tests.Features.Submissions;

public sealed class MailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Origin = "https://madoguchi.city.example.jp";

    [Fact]
    public async Task The_acknowledgement_arrives_with_the_receipt_number_and_a_status_link_that_works()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        await SubmissionKit.PublishAsync(app);
        using var client = app.CreatePlainClient();
        var answers = SubmissionKit.GoodAnswers();
        answers["email"] = "hanako@example.jp";
        var response = await SubmissionKit.PostAsync(client, answers, key: "ack-1");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["receiptNumber"]!.GetValue<string>();

        var mail = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", mail.To.ToString());
        Assert.Equal("text/plain", mail.Body?.ContentType.MimeType);
        var text = mail.TextBody ?? "";
        Assert.Contains(receipt, mail.Subject);
        Assert.Contains($"受付番号: {receipt}", text);
        Assert.Contains("子育て支援の申請（テスト）", text);
        // FakeClock: 2025-04-01 00:00 UTC is 9:00 in Japan.
        Assert.Contains("令和7年4月1日 9:00（2025年4月1日 9:00）日本時間", text);
        // Answers are not copied into the mail.
        Assert.DoesNotContain("山田", text);
        Assert.DoesNotContain("平成2年", text);

        var link = System.Text.RegularExpressions.Regex.Match(text, $@"{Regex(Origin)}/status/\S+").Value;
        Assert.NotEmpty(link);
        var status = await client.GetAsync(new Uri(link).PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Contains(receipt, await status.Content.ReadAsStringAsync(Ct));

        // A retry with the same key is the same submission: no second mail.
        var retry = await SubmissionKit.PostAsync(client, answers, key: "ack-1");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        await Task.Delay(500, Ct);
        Assert.Equal(0, smtp.Pending);
    }

    [Fact]
    public async Task Without_an_email_answer_no_mail_is_sent_and_english_and_easy_mails_follow_the_submission_language()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(null));
        await SubmissionKit.PublishAsync(app, SubmissionKit.FormJson.Replace(
            "\"en\": \"Childcare support (test)\" }", "\"en\": \"Childcare support (test)\", \"easy\": \"{子育|こそだ}ての {申請|しんせい}\" }", StringComparison.Ordinal));
        using var client = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers())).StatusCode);

        foreach (var language in new[] { "en", "easy" })
        {
            var answers = SubmissionKit.GoodAnswers();
            answers["email"] = $"{language}@example.jp";
            var body = new JsonObject { ["answers"] = answers, ["language"] = language };
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/forms/{SubmissionKit.Slug}/submissions", body, Ct)).StatusCode);
            var mail = await smtp.NextAsync();
            Assert.Equal($"{language}@example.jp", mail.To.ToString());
            if (language == "en")
            {
                Assert.Contains("Childcare support (test)", mail.TextBody);
                Assert.Contains("1 April 2025, 09:00 Japan time", mail.TextBody);
                // No PublicOrigin: the link takes the request's origin.
                Assert.Contains("https://localhost/status/", mail.TextBody);
            }
            else
            {
                Assert.Contains("子育ての 申請", mail.TextBody);
                Assert.DoesNotContain("{", mail.TextBody);
                Assert.DoesNotContain("こそだ", mail.TextBody);
                Assert.DoesNotContain("<ruby>", mail.TextBody);
            }
        }
        Assert.Equal(0, smtp.Pending);
    }

    [Fact]
    public async Task Html_in_the_form_title_stays_literal_text_in_a_plain_text_mail()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        const string title = "<script>alert('x')</script><b>申請</b>";
        await SubmissionKit.PublishAsync(app, SubmissionKit.FormJson.Replace("子育て支援の申請（テスト）", title.Replace("'", "\\u0027", StringComparison.Ordinal), StringComparison.Ordinal));
        using var client = app.CreatePlainClient();
        var answers = SubmissionKit.GoodAnswers();
        answers["email"] = "hanako@example.jp";
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(client, answers)).StatusCode);
        var mail = await smtp.NextAsync();
        Assert.Contains($"申請: {title}", mail.TextBody);
        Assert.Null(mail.HtmlBody);
        Assert.Equal("text/plain", mail.Body?.ContentType.MimeType);
    }

    [Fact]
    public async Task With_the_mail_server_down_the_submission_still_succeeds_and_is_stored()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new()
        {
            ["Madoguchi:Smtp:Host"] = "127.0.0.1",
            ["Madoguchi:Smtp:Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Madoguchi:Smtp:Security"] = "none",
        });
        await SubmissionKit.PublishAsync(app);
        using var client = app.CreatePlainClient();
        var receipts = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var answers = SubmissionKit.GoodAnswers();
            answers["email"] = "hanako@example.jp";
            var response = await SubmissionKit.PostAsync(client, answers);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
            receipts.Add(body["receiptNumber"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(body["statusUrl"]!.GetValue<string>(), Ct)).StatusCode);
        }
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(receipts.Order(), await db.Submissions.Select(s => s.ReceiptNumber).OrderBy(r => r).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_resume_code_is_mailed_with_the_resume_page_and_the_expiry_date()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        await SubmissionKit.PublishAsync(app);
        await using var scope = app.Scope();
        var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
        var (draft, _) = (await drafts.StartAsync(SubmissionKit.Slug, "ja", Ct))!.Value;
        var code = await drafts.NewResumeCodeAsync(draft, Ct);
        Assert.True(await scope.ServiceProvider.GetRequiredService<ResidentMail>().SendResumeLinkAsync(draft, code, "hanako@example.jp", Ct));
        var mail = await smtp.NextAsync();
        Assert.Contains($"再開コード: {code}", mail.TextBody);
        Assert.Contains($"{Origin}/forms/resume", mail.TextBody);
        // 30 days from 2025-04-01 09:00 JST.
        Assert.Contains("令和7年5月1日（2025年5月1日）まで", mail.TextBody);
        Assert.NotNull(await drafts.ResumeAsync(code, Ct));
    }

    private static string Regex(string s) => System.Text.RegularExpressions.Regex.Escape(s);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A real SMTP server on loopback collecting the mails it receives.</summary>
    internal sealed class Smtp : MessageStore, IAsyncDisposable
    {
        private readonly System.Threading.Channels.Channel<MimeKit.MimeMessage> _inbox = System.Threading.Channels.Channel.CreateUnbounded<MimeKit.MimeMessage>();
        private SmtpServer.SmtpServer? _server;
        private Task? _running;
        public int Port { get; private set; }
        public int Pending => _inbox.Reader.Count;

        public static Task<Smtp> StartAsync()
        {
            var smtp = new Smtp { Port = FreePort() };
            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(smtp);
            smtp._server = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder().ServerName("localhost")
                .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, smtp.Port))).Build(), services);
            smtp._running = smtp._server.StartAsync(Ct);
            return Task.FromResult(smtp);
        }

        public Dictionary<string, string?> Settings(string? origin) => new()
        {
            ["Madoguchi:Smtp:Host"] = "127.0.0.1",
            ["Madoguchi:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Madoguchi:Smtp:Security"] = "none",
            ["Madoguchi:Smtp:From"] = "madoguchi@city.example.jp",
            ["Madoguchi:PublicOrigin"] = origin,
        };

        public async Task<MimeKit.MimeMessage> NextAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            return await _inbox.Reader.ReadAsync(timeout.Token);
        }

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            _inbox.Writer.TryWrite(MimeKit.MimeMessage.Load(new MemoryStream(buffer.ToArray()), cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }

        public async ValueTask DisposeAsync()
        {
            _server?.Shutdown();
            if (_running is not null) await _running;
        }
    }
}
