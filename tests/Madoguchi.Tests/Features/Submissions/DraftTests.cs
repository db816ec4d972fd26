using System.Text;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

public sealed class DraftTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string FormWithFile = """
    {
      "slug": "tenpu-test",
      "title": { "ja": "添付のある申請（テスト）" },
      "draftExpiryDays": 7,
      "pages": [
        { "key": "docs", "title": { "ja": "書類" },
          "items": [
            { "type": "text", "key": "note", "label": { "ja": "備考" } },
            { "type": "file", "key": "certificate", "required": true, "accept": ["pdf", "png"], "maxBytes": 1048576, "maxFiles": 2,
              "label": { "ja": "証明書" } }
          ] }
      ]
    }
    """;

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n");

    private static FormField Certificate(FormDefinition d) => d.AllFields.Single(f => f.Key == "certificate");

    [Fact]
    [Trait("storage", "true")]
    public async Task A_draft_keeps_the_answers_and_opens_on_another_device_once_with_its_resume_code()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await SubmissionKit.PublishAsync(app);
        await using var scope = app.Scope();
        var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();

        var (draft, secret) = (await drafts.StartAsync(SubmissionKit.Slug, "ja", Ct))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), draft.ExpiresAt); // the default 30 days
        await drafts.SaveAsync(draft, new JsonObject { ["email"] = "hanako@example.jp" }, "applicant", Ct);

        Assert.Null(await drafts.OpenAsync(draft.Id, "0123456789abcdef0123456789abcdef", Ct));
        var reopened = await drafts.OpenAsync(draft.Id, secret, Ct);
        Assert.Equal("hanako@example.jp", JsonNode.Parse(reopened!.Draft.AnswersJson)!["email"]!.GetValue<string>());

        var code = await drafts.NewResumeCodeAsync(draft, Ct);
        Assert.Matches("^[0-9A-Z]{5}-[0-9A-Z]{5}$", code);
        var resumed = await drafts.ResumeAsync(code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), Ct);
        Assert.NotNull(resumed);
        Assert.Equal(draft.Id, resumed.Value.Opened.Draft.Id);
        Assert.NotEqual(secret, resumed.Value.Secret);
        // Used once: the code and the first device's secret no longer open it.
        Assert.Null(await drafts.ResumeAsync(code, Ct));
        Assert.Null(await drafts.OpenAsync(draft.Id, secret, Ct));
        Assert.NotNull(await drafts.OpenAsync(draft.Id, resumed.Value.Secret, Ct));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task An_expired_draft_does_not_open_and_is_purged_with_its_files()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await SubmissionKit.PublishAsync(app, FormWithFile);
        Draft draft;
        string secret;
        string stored;
        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            (draft, secret) = (await drafts.StartAsync("tenpu-test", "ja", Ct))!.Value;
            var opened = await drafts.OpenAsync(draft.Id, secret, Ct);
            var saved = await scope.ServiceProvider.GetRequiredService<AttachmentStore>().SaveAsync(draft, Certificate(opened!.Definition), "certificate", new MemoryStream(Pdf), "証明書.pdf", Ct);
            Assert.True(saved.Ok, saved.Message?.Ja);
            stored = AttachmentStore.FilePath(scope.ServiceProvider.GetRequiredService<Storage>(), saved.Attachment!.StoredPath);
            Assert.True(File.Exists(stored));
        }

        app.Clock.Set(new DateTimeOffset(2026, 4, 8, 0, 0, 1, TimeSpan.Zero)); // draftExpiryDays 7 have passed
        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            Assert.Null(await drafts.OpenAsync(draft.Id, secret, Ct));
            Assert.Equal(1, await drafts.PurgeExpiredAsync(Ct));
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.Equal(0, await db.Drafts.CountAsync(Ct));
            Assert.Equal(0, await db.Attachments.CountAsync(Ct));
        }
        Assert.False(File.Exists(stored));
    }

    [Fact]
    public async Task Uploads_are_checked_by_content_and_size_and_only_their_own_draft_can_open_them()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Uploads:MaxPerApplicationBytes"] = "100" });
        await SubmissionKit.PublishAsync(app, FormWithFile);
        await using var scope = app.Scope();
        var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
        var store = scope.ServiceProvider.GetRequiredService<AttachmentStore>();
        var (mine, secret) = (await drafts.StartAsync("tenpu-test", "ja", Ct))!.Value;
        var (other, _) = (await drafts.StartAsync("tenpu-test", "ja", Ct))!.Value;
        var field = Certificate((await drafts.OpenAsync(mine.Id, secret, Ct))!.Definition);

        var exe = await store.SaveAsync(mine, field, "certificate", new MemoryStream([.. "MZ"u8.ToArray(), 0x90, 0, 3, 0, 0, 0]), "証明書.pdf", Ct);
        Assert.Equal("executable", exe.ErrorCode);
        var jpeg = await store.SaveAsync(mine, field, "certificate", new MemoryStream([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), "photo.jpg", Ct);
        Assert.Equal("type-not-accepted", jpeg.ErrorCode);
        var big = await store.SaveAsync(mine, field, "certificate", new MemoryStream([.. Pdf, .. new byte[2 * 1024 * 1024]]), "big.pdf", Ct);
        Assert.Equal("too-large", big.ErrorCode);

        var ok = await store.SaveAsync(mine, field, "certificate", new MemoryStream(Pdf), "証明書.pdf", Ct);
        Assert.True(ok.Ok, ok.Message?.Ja);
        Assert.Equal(FileKinds.Pdf, ok.Attachment!.Kind);
        Assert.DoesNotContain("証明書", ok.Attachment.StoredPath); // generated name, never the resident's
        // A second file would pass the application's 100-byte total.
        var over = await store.SaveAsync(mine, field, "certificate", new MemoryStream(Pdf), "2枚目.pdf", Ct);
        Assert.Equal("application-too-large", over.ErrorCode);

        Assert.Null(await store.OpenAsync(ok.Attachment.Id, other.Id, null, Ct));
        Assert.Null(await store.OpenAsync(ok.Attachment.Id, null, Guid.NewGuid(), Ct));
        var opened = await store.OpenAsync(ok.Attachment.Id, mine.Id, null, Ct);
        await using (opened!.Value.Content) Assert.Equal(Pdf.Length, opened.Value.Content.Length);
        Assert.False(await store.RemoveAsync(other.Id, ok.Attachment.Id, Ct));
        Assert.True(await store.RemoveAsync(mine.Id, ok.Attachment.Id, Ct));

        // Nothing under the files folder is reachable over HTTP.
        var response = await app.CreatePlainClient().GetAsync("/" + ok.Attachment.StoredPath.Replace('\\', '/'), Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task With_the_virus_scanner_a_virus_is_refused_and_with_the_scanner_down_every_upload_is_refused()
    {
        var clamd = await Clamd.InstanceAsync();
        await using var app = await MadoguchiFactory.CreateAsync(new(clamd.Settings));
        await SubmissionKit.PublishAsync(app, FormWithFile);
        await using (var scope = app.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            var store = scope.ServiceProvider.GetRequiredService<AttachmentStore>();
            var (draft, secret) = (await drafts.StartAsync("tenpu-test", "ja", Ct))!.Value;
            var field = Certificate((await drafts.OpenAsync(draft.Id, secret, Ct))!.Definition);
            var virus = await store.SaveAsync(draft, field, "certificate", new MemoryStream([.. Pdf, .. Clamd.Eicar]), "証明書.pdf", Ct);
            Assert.Equal("virus", virus.ErrorCode);
            Assert.True((await store.SaveAsync(draft, field, "certificate", new MemoryStream(Pdf), "証明書.pdf", Ct)).Ok);
        }

        await using var down = await MadoguchiFactory.CreateAsync(new()
        {
            ["Madoguchi:Clamd:Host"] = "127.0.0.1",
            ["Madoguchi:Clamd:Port"] = Clamd.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await SubmissionKit.PublishAsync(down, FormWithFile);
        await using (var scope = down.Scope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
            var (draft, secret) = (await drafts.StartAsync("tenpu-test", "ja", Ct))!.Value;
            var field = Certificate((await drafts.OpenAsync(draft.Id, secret, Ct))!.Definition);
            var refused = await scope.ServiceProvider.GetRequiredService<AttachmentStore>().SaveAsync(draft, field, "certificate", new MemoryStream(Pdf), "証明書.pdf", Ct);
            Assert.Equal("scanner-unavailable", refused.ErrorCode);
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Attachments.CountAsync(Ct));
        }
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Submitting_a_draft_hands_its_files_to_the_submission_and_ends_the_draft_in_one_step()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app, FormWithFile);
        await using var scope = app.Scope();
        var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
        var store = scope.ServiceProvider.GetRequiredService<AttachmentStore>();
        var (draft, secret) = (await drafts.StartAsync("tenpu-test", "ja", Ct))!.Value;
        var field = Certificate((await drafts.OpenAsync(draft.Id, secret, Ct))!.Definition);
        var file = (await store.SaveAsync(draft, field, "certificate", new MemoryStream(Pdf), "証明書.pdf", Ct)).Attachment!;
        var answers = new JsonObject { ["certificate"] = new JsonArray(file.Id.ToString()) };

        var submit = scope.ServiceProvider.GetRequiredService<SubmissionService>();
        var first = await submit.SubmitAsync("tenpu-test", draft.FormVersionNumber, answers, AnswerChecker.Mode.Lenient, "ja", draft.Id.ToString(), "web", Ct, draft.Id);
        var again = await submit.SubmitAsync("tenpu-test", draft.FormVersionNumber, answers, AnswerChecker.Mode.Lenient, "ja", draft.Id.ToString(), "web", Ct, draft.Id);

        var accepted = Assert.IsType<SubmissionService.Result.Accepted>(first);
        Assert.Equal(accepted.ReceiptNumber, Assert.IsType<SubmissionService.Result.Accepted>(again).ReceiptNumber);
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(0, await db.Drafts.CountAsync(Ct));
        var moved = await db.Attachments.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(accepted.Submission.Id, moved.SubmissionId);
        Assert.Null(moved.DraftId);
        Assert.NotNull(await store.OpenAsync(file.Id, null, accepted.Submission.Id, Ct));
    }
}
