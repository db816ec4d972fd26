using System.Net;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>The staff list of a form's submissions (issue 5 §5): department checked, every view and download audited.</summary>
public sealed class StaffSubmissionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Slug = "jidou-teate-test";
    private const string Html = "<script>alert('x')</script><img src=x onerror=alert(1)>";

    private const string FormJson = """
    {
      "slug": "jidou-teate-test",
      "title": { "ja": "児童手当の認定請求（テスト）" },
      "pages": [
        { "key": "p1", "title": { "ja": "請求者" },
          "items": [
            { "type": "name", "key": "applicantName", "required": true, "label": { "ja": "請求者氏名" } },
            { "type": "date", "key": "birthDate", "required": true, "label": { "ja": "生年月日" } },
            { "type": "my-number", "key": "myNumber", "required": true, "label": { "ja": "個人番号" } },
            { "type": "radio", "key": "reason", "required": true, "label": { "ja": "理由" },
              "options": [ { "value": "birth", "label": { "ja": "出生" } }, { "value": "move", "label": { "ja": "転入" } } ] },
            { "type": "long-text", "key": "note", "label": { "ja": "連絡事項" } },
            { "type": "file", "key": "proof", "label": { "ja": "添付書類" }, "accept": ["pdf"] }
          ] }
      ]
    }
    """;

    private sealed record Setup(MadoguchiFactory App, Department Ours, Department Theirs, string Receipt, Guid AttachmentId, byte[] Content);

    private static async Task<Setup> SetUpAsync(MadoguchiFactory app)
    {
        var ours = Builders.Department("子ども未来部", "子育て支援課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(ours, theirs, Builders.Procedure("KT-C0001", ours, p => p.UsesMyNumber = true));
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(FormJson, "KT-C0001", "test", Ct);
            await forms.PublishAsync(Slug, "test", Ct);
        }
        var attachmentId = Guid.CreateVersion7();
        var answers = new JsonObject
        {
            ["applicantName"] = new JsonObject { ["family"] = "山田", ["given"] = "花子", ["familyKana"] = "ヤマダ", ["givenKana"] = "ハナコ" },
            ["birthDate"] = "平成2年4月1日",
            ["myNumber"] = "123456789018",
            ["reason"] = "birth",
            ["note"] = Html,
            ["proof"] = new JsonArray(attachmentId.ToString()),
        };
        // Sent as the web form sends a draft whose file was uploaded (the API takes no files).
        string receipt;
        await using (var scope = app.Scope())
        {
            var sent = await scope.ServiceProvider.GetRequiredService<SubmissionService>().SubmitAsync(Slug, null, answers, AnswerChecker.Mode.Lenient, "ja", null, "web", Ct);
            receipt = Assert.IsType<SubmissionService.Result.Accepted>(sent).ReceiptNumber;
        }

        // The attachment as the web form would have handed it over (uploads go through drafts, not the API).
        var content = "%PDF-1.4\n<html><script>alert(1)</script></html>\n"u8.ToArray();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var submission = await db.Submissions.SingleAsync(s => s.ReceiptNumber == receipt, Ct);
            var stored = Path.Combine("attachments", "test", attachmentId.ToString("N"));
            var path = AttachmentStore.FilePath(app.Database.Storage, stored);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, content, Ct);
            db.Attachments.Add(new Attachment
            {
                Id = attachmentId,
                SubmissionId = submission.Id,
                FieldKey = "proof",
                Kind = "pdf",
                Size = content.Length,
                Sha256 = "",
                OriginalName = "住民票.pdf",
                StoredPath = stored,
                UploadedAt = app.Clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(Ct);
        }
        return new Setup(app, ours, theirs, receipt, attachmentId, content);
    }

    private static async Task<List<AuditEntry>> ViewsAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.PersonalDataViewed && (e.TargetType == "form-submissions" || e.TargetType == "submission-attachment"))
            .OrderBy(e => e.Sequence).ToListAsync(Ct);
    }

    [Fact]
    public async Task The_answers_are_not_shown_when_the_view_cannot_be_recorded()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, s.Ours.Id);
        Assert.Contains(s.Receipt, await staff.GetStringAsync($"/staff/forms/{Slug}/submissions", Ct));

        // The entry commits on its own connection while the answers are read: when the audit store
        // refuses it, the answers already read must still not be shown.
        await Madoguchi.Tests.Features.Audit.AuditTrailTests.RefuseAuditWritesAsync(app);
        var refused = await staff.GetAsync($"/staff/forms/{Slug}/submissions", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(s.Receipt, body);
        Assert.DoesNotContain("山田", body);
        Assert.DoesNotContain("9018", body);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task The_owning_department_sees_readable_answers_with_masked_my_number_and_the_view_is_audited()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, s.Ours.Id);

        var list = await staff.GetStringAsync("/staff/forms", Ct);
        Assert.Contains($"href=\"/staff/forms/{Slug}/submissions\"", list);
        Assert.Contains("1 件", list);

        var response = await staff.GetAsync($"/staff/forms/{Slug}/submissions", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains(s.Receipt, page);
        Assert.Contains("山田 花子（ヤマダ ハナコ）", page);
        Assert.Contains("平成2年4月1日（1990-04-01）", page);
        Assert.Contains("出生", page);
        Assert.Contains("第1版", page);
        // 2025-04-01 00:00 UTC on the fake clock.
        Assert.Contains("令和7年4月1日 9:00:00", page);
        Assert.Contains("********9018", page);
        Assert.DoesNotContain("123456789018", page);
        Assert.Contains($"?handler=file&amp;id={s.AttachmentId}", page);
        Assert.Contains("住民票.pdf", page);

        var view = Assert.Single(await ViewsAsync(app));
        Assert.Equal("form-submissions", view.TargetType);
        Assert.Equal(s.Ours.Id, view.DepartmentId);
        Assert.DoesNotContain("山田", view.Detail);
    }

    [Fact]
    public async Task Html_in_answers_is_shown_as_text_never_as_markup()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Dx);
        var page = await staff.GetStringAsync($"/staff/forms/{Slug}/submissions", Ct);
        Assert.Contains(s.Receipt, page);
        Assert.DoesNotContain("<script>alert", page);
        Assert.DoesNotContain("<img src=x", page);
        Assert.Contains("&lt;script&gt;alert(", page);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", page);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Another_department_gets_no_form_no_answers_no_file_and_leaves_no_view_entry()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        using var other = await app.SignedInClientAsync(Roles.Manager, s.Theirs.Id);

        Assert.DoesNotContain(Slug, await other.GetStringAsync("/staff/forms", Ct));
        var page = await other.GetAsync($"/staff/forms/{Slug}/submissions", Ct);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.DoesNotContain(s.Receipt, await page.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/staff/forms/{Slug}/submissions?handler=file&id={s.AttachmentId}", Ct)).StatusCode);
        Assert.Empty(await ViewsAsync(app));

        // Auditors read the trail, not residents' answers.
        using var auditor = await app.SignedInClientAsync(Roles.Auditor);
        var denied = await auditor.GetAsync($"/staff/forms/{Slug}/submissions", Ct);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/staff/denied", denied.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_attachment_downloads_as_an_attachment_with_nosniff_and_each_download_is_audited()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, s.Ours.Id);

        var response = await staff.GetAsync($"/staff/forms/{Slug}/submissions?handler=file&id={s.AttachmentId}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("住民票.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(s.Content, await response.Content.ReadAsByteArrayAsync(Ct));

        var entry = Assert.Single(await ViewsAsync(app));
        Assert.Equal("submission-attachment", entry.TargetType);
        Assert.Equal(s.AttachmentId.ToString(), entry.TargetId);

        // An id that is not an attachment of this form's submissions is not found.
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/staff/forms/{Slug}/submissions?handler=file&id={Guid.NewGuid()}", Ct)).StatusCode);
        Assert.Single(await ViewsAsync(app));
    }
}
