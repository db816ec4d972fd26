using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>The case page: answers with a masked 個人番号, audited views and reveals, files, history, notes, assignee, status.</summary>
public sealed class CasePageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("storage", "true")]
    public async Task The_owning_department_sees_every_answer_with_the_my_number_masked_and_the_view_is_audited_and_marks_it_read()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app, standardDays: 5);
        var applied = await CaseKit.ApplyAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);

        var response = await staff.GetAsync($"/staff/cases/{applied.CaseId}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains(applied.Receipt, page);
        Assert.Contains("山田 花子（ヤマダ ハナコ）", page);
        Assert.Contains("山田 太郎", page);
        Assert.Contains("就労", page);
        Assert.Contains("********9018", page);
        Assert.DoesNotContain(CaseKit.MyNumber, page);
        Assert.Contains("オンライン", page);
        Assert.Contains("保育の利用申込（テスト）（第1版）", page);
        // FakeClock 2025-04-01 09:00 JST, a Tuesday: five business days later is 4/8.
        Assert.Contains("令和7年4月8日（2025-04-08）", page);
        Assert.DoesNotContain("期限超過", page);
        // Without the 個人番号 permission there is no reveal button.
        Assert.DoesNotContain("data-testid=\"reveal\"", page);

        var c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.NotNull(c.OpenedAt);
        var views = await CaseKit.WithDbAsync(app, db => db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.PersonalDataViewed && e.TargetType == "case" && e.TargetId == applied.CaseId.ToString()).ToListAsync(Ct));
        var view = Assert.Single(views);
        Assert.Equal(setup.Ours.Id, view.DepartmentId);
        Assert.Contains(applied.Receipt, view.Detail);
    }

    [Fact]
    public async Task Overdue_cases_say_so_in_words()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app, standardDays: 5);
        var applied = await CaseKit.ApplyAsync(app);
        // A day past the due date (4/8); signed in then, as a session does not outlive a week.
        app.Clock.Set(new DateTimeOffset(2025, 4, 9, 10, 0, 0, TimeSpan.FromHours(9)));
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        var page = await staff.GetStringAsync($"/staff/cases/{applied.CaseId}", Ct);
        Assert.Contains("data-testid=\"overdue\">期限超過<", page);
    }

    [Fact]
    public async Task Only_staff_with_the_my_number_permission_may_reveal_it_and_each_read_is_audited()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        var url = $"/staff/cases/{applied.CaseId}";

        using var plain = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        var refused = await MadoguchiFactory.PostFormAsync(plain, url + "?handler=reveal", [], url);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.DoesNotContain(CaseKit.MyNumber, await refused.Content.ReadAsStringAsync(Ct));

        var (email, password) = await app.CreateUserAsync(Roles.Staff, setup.Ours.Id);
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<StaffUser>>();
            await StaffAccounts.GrantAsync(scope.ServiceProvider, (await users.FindByEmailAsync(email))!, Permissions.MyNumber);
        }
        using var allowed = app.CreatePlainClient();
        await MadoguchiFactory.EnrolAsync(allowed, email, password);
        var before = await ReadsAsync(app);
        var page = await allowed.GetStringAsync(url, Ct);
        Assert.Contains("data-testid=\"reveal\"", page);
        Assert.DoesNotContain(CaseKit.MyNumber, page);
        Assert.Equal(before, await ReadsAsync(app));

        var revealed = await MadoguchiFactory.PostFormAsync(allowed, url + "?handler=reveal", [], url);
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.True(revealed.Headers.CacheControl?.NoStore);
        Assert.Contains(CaseKit.MyNumber, await revealed.Content.ReadAsStringAsync(Ct));
        // The vault wrote an entry for the 個人番号 it decrypted, besides the page view.
        Assert.Equal(before + 1, await ReadsAsync(app));
    }

    private static Task<int> ReadsAsync(MadoguchiFactory app) => CaseKit.WithDbAsync(app, db => db.AuditEntries.CountAsync(
        e => e.Action == AuditActions.PersonalDataViewed && e.TargetType == "submission" && e.Detail.StartsWith("myNumber"), Ct));

    [Fact]
    [Trait("storage", "true")]
    public async Task Attachments_download_as_attachments_only_through_their_own_case_and_each_download_is_audited()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var one = await CaseKit.ApplyAsync(app);
        var two = await CaseKit.ApplyAsync(app);
        var content = "%PDF-1.4\n<html><script>alert(1)</script></html>\n"u8.ToArray();
        var file = await CaseKit.AttachAsync(app, one.CaseId, "就労証明書.pdf", content);
        var otherFile = await CaseKit.AttachAsync(app, two.CaseId, "別の人.pdf", content);
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);

        var page = await staff.GetStringAsync($"/staff/cases/{one.CaseId}", Ct);
        Assert.Contains($"/staff/cases/{one.CaseId}/files/{file}", page);
        Assert.Contains("就労証明書.pdf", page);
        Assert.DoesNotContain("別の人.pdf", page);

        var download = await staff.GetAsync($"/staff/cases/{one.CaseId}/files/{file}", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(1, await CaseKit.WithDbAsync(app, db => db.AuditEntries.CountAsync(e => e.TargetType == "case-attachment" && e.TargetId == file.ToString(), Ct)));

        // Another case's file through this case's address: not found, and nothing read.
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/staff/cases/{one.CaseId}/files/{otherFile}", Ct)).StatusCode);
        Assert.Equal(0, await CaseKit.WithDbAsync(app, db => db.AuditEntries.CountAsync(e => e.TargetType == "case-attachment" && e.TargetId == otherFile.ToString(), Ct)));
    }

    [Fact]
    public async Task Notes_assignment_and_status_changes_are_kept_in_the_history_with_names_and_japan_times()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        using var staff = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        var url = $"/staff/cases/{applied.CaseId}";

        var note = await MadoguchiFactory.PostFormAsync(staff, url + "?handler=note", new() { ["input.Text"] = "電話で在籍確認済み" }, url);
        Assert.Equal(HttpStatusCode.Redirect, note.StatusCode);
        var empty = await MadoguchiFactory.PostFormAsync(staff, url + "?handler=note", new() { ["input.Text"] = "  " }, url);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("メモが空です", await empty.Content.ReadAsStringAsync(Ct));

        var assign = await MadoguchiFactory.PostFormAsync(staff, url + "?handler=assign",
            new() { ["input.Me"] = "true", ["input.Revision"] = (await CaseKit.RevisionAsync(app, applied.CaseId)).ToString() }, url);
        Assert.Equal(HttpStatusCode.Redirect, assign.StatusCode);
        var review = await MadoguchiFactory.PostFormAsync(staff, url + "?handler=status",
            new() { ["input.To"] = CaseWorkflow.Reviewing, ["input.Revision"] = (await CaseKit.RevisionAsync(app, applied.CaseId)).ToString() }, url);
        Assert.Equal(HttpStatusCode.Redirect, review.StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var done = await MadoguchiFactory.PostFormAsync(staff, url + "?handler=status",
            new() { ["input.To"] = CaseWorkflow.Completed, ["input.Comment"] = "決定通知を郵送しました", ["input.Revision"] = (await CaseKit.RevisionAsync(app, applied.CaseId)).ToString() }, url);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);

        var page = await staff.GetStringAsync(url, Ct);
        Assert.Contains("data-testid=\"status\">完了<", page);
        Assert.DoesNotContain("data-testid=\"assignee\">（担当なし）", page);
        Assert.Contains("電話で在籍確認済み", page);
        Assert.Contains("状態の変更: 受付 → 審査中", page);
        Assert.Contains("状態の変更: 審査中 → 完了", page);
        Assert.Contains("決定通知を郵送しました", page);
        Assert.Contains("担当者の変更", page);
        // FakeClock: 2025-04-01 00:00 UTC is 9:00 in Japan; the completion came 10 minutes later.
        Assert.Contains("令和7年4月1日 9:10:00", page);
        // A closed case offers no further status.
        Assert.Contains("から移せる状態はありません", page);

        var c = await CaseKit.WithDbAsync(app, db => db.Cases.AsNoTracking().SingleAsync(x => x.Id == applied.CaseId, Ct));
        Assert.NotNull(c.AssigneeId);
        Assert.NotNull(c.ClosedAt);
        Assert.Equal(4, await CaseKit.WithDbAsync(app, db => db.CaseEvents.CountAsync(e => e.CaseId == applied.CaseId && e.Kind != CaseEventKinds.Created, Ct)));
    }

    [Fact]
    public async Task A_change_posted_from_a_page_someone_else_changed_meanwhile_is_refused_as_a_conflict()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        using var first = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        using var second = await app.SignedInClientAsync(Roles.Manager, setup.Ours.Id);
        var url = $"/staff/cases/{applied.CaseId}";
        var seen = (await CaseKit.RevisionAsync(app, applied.CaseId)).ToString();

        Assert.Equal(HttpStatusCode.Redirect, (await MadoguchiFactory.PostFormAsync(first, url + "?handler=status", new() { ["input.To"] = CaseWorkflow.Rejected, ["input.Revision"] = seen }, url)).StatusCode);
        var late = await MadoguchiFactory.PostFormAsync(second, url + "?handler=status", new() { ["input.To"] = CaseWorkflow.Completed, ["input.Revision"] = seen }, url);

        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var page = await late.Content.ReadAsStringAsync(Ct);
        Assert.Contains("ほかの職員がこの案件を変更しました", page);
        Assert.Contains("data-testid=\"status\">却下<", page);
        Assert.Equal(CaseWorkflow.Rejected, await CaseKit.WithDbAsync(app, db => db.Cases.Where(c => c.Id == applied.CaseId).Select(c => c.Status).SingleAsync(Ct)));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Another_department_gets_404_dx_and_auditors_are_denied_and_anonymous_callers_are_sent_to_sign_in()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var applied = await CaseKit.ApplyAsync(app);
        var file = await CaseKit.AttachAsync(app, applied.CaseId, "就労証明書.pdf", "%PDF-1.4\n"u8.ToArray());
        var urls = new[] { $"/staff/cases/{applied.CaseId}", $"/staff/cases/{applied.CaseId}/files/{file}", $"/staff/ledger/{setup.ProcedureId}/notifications" };

        using var owner = await app.SignedInClientAsync(Roles.Staff, setup.Ours.Id);
        using var other = await app.SignedInClientAsync(Roles.Staff, setup.Theirs.Id);
        using var dx = await app.SignedInClientAsync(Roles.Dx, setup.Ours.Id);
        using var auditor = await app.SignedInClientAsync(Roles.Auditor, setup.Ours.Id);
        using var anonymous = app.CreatePlainClient();
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(url, Ct)).StatusCode);
            var theirs = await other.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
            Assert.DoesNotContain("山田", await theirs.Content.ReadAsStringAsync(Ct));
            foreach (var denied in new[] { dx, auditor })
            {
                var r = await denied.GetAsync(url, Ct);
                Assert.True(r.StatusCode == HttpStatusCode.Forbidden || PathOf(r).StartsWith("/staff/denied", StringComparison.Ordinal), $"{url}: {(int)r.StatusCode} {r.Headers.Location}");
            }
            var anon = await anonymous.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, anon.StatusCode);
            Assert.StartsWith("/staff/signin", PathOf(anon));
        }
        // A post from another department changes nothing.
        var post = await MadoguchiFactory.PostFormAsync(other, $"/staff/cases/{applied.CaseId}?handler=note", new() { ["input.Text"] = "x" }, "/staff/profile");
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(0, await CaseKit.WithDbAsync(app, db => db.CaseEvents.CountAsync(e => e.Kind == CaseEventKinds.Note, Ct)));
        // Only the owner's view read the answers (one audited view).
        Assert.Equal(1, await CaseKit.WithDbAsync(app, db => db.AuditEntries.CountAsync(e => e.TargetType == "case", Ct)));
    }

    private static string PathOf(HttpResponseMessage r) => r.Headers.Location is not { } l ? "" : l.IsAbsoluteUri ? l.AbsolutePath : l.OriginalString;
}
