using System.Net;
using System.Security.Claims;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>Every submission lands in its procedure's ledger; the workflow and the 標準処理期間 clock.</summary>
public sealed class CaseCoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClaimsPrincipal Admin() => new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

    private static async Task<Case> SubmitAsync(MadoguchiFactory app)
    {
        using var client = app.CreatePlainClient();
        using var response = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.AsNoTracking().SingleAsync(Ct);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_submission_becomes_an_unread_online_case_with_its_due_date_in_business_days()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        // Friday 2026-12-25 10:00 JST; 5 business days skip the weekend and 年末年始 (12/29–1/3).
        app.Clock.Set(new DateTimeOffset(2026, 12, 25, 10, 0, 0, TimeSpan.FromHours(9)));
        await SubmissionKit.PublishAsync(app);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await db.Procedures.ExecuteUpdateAsync(u => u.SetProperty(p => p.StandardProcessingDays, 5), Ct);
        }
        var c = await SubmitAsync(app);
        Assert.Equal(CaseChannel.Online, c.Channel);
        Assert.Equal(CaseWorkflow.Received, c.Status);
        Assert.Null(c.OpenedAt);
        Assert.Equal(new DateOnly(2026, 12, 25), c.ReceivedOn);
        // 12/28, 1/4, 1/5, 1/6, 1/7.
        Assert.Equal(new DateOnly(2027, 1, 7), c.DueOn);
        Assert.Contains("山田", c.SearchText);
        Assert.Contains("就労", c.SearchText); // the option's words, not its code

        await using var check = app.Scope();
        var db2 = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var submission = await db2.Submissions.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(submission.ReceiptNumber, c.ReceiptNumber);
        var created = await db2.CaseEvents.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(CaseEventKinds.Created, created.Kind);
        Assert.True(created.Public);
    }

    [Fact]
    public void A_correction_stops_the_clock_and_moves_the_due_date_by_the_business_days_it_waited_across_a_holiday()
    {
        var calendar = new BusinessCalendar([]);
        var c = new Case { ReceivedOn = new DateOnly(2026, 12, 21), DueOn = CaseClock.DueOn(calendar, new DateOnly(2026, 12, 21), 5) };
        Assert.Equal(new DateOnly(2026, 12, 28), c.DueOn); // 22, 23, 24, 25, 28

        CaseClock.Stop(c, new DateOnly(2026, 12, 24));
        // Stopped: never overdue while the applicant has it, even long after the due date.
        Assert.False(CaseClock.IsOverdue(c, new DateOnly(2027, 1, 20)));
        // Answered on 1/5: business days 12/25, 12/28, 1/4, 1/5 were the applicant's (12/29–1/3 closed).
        CaseClock.Resume(c, calendar, new DateOnly(2027, 1, 5));
        Assert.Null(c.ClockStoppedOn);
        Assert.Equal(new DateOnly(2027, 1, 7), c.DueOn); // 12/28 + 4 business days: 1/4, 1/5, 1/6, 1/7
        Assert.False(CaseClock.IsOverdue(c, new DateOnly(2027, 1, 7)));
        Assert.True(CaseClock.IsOverdue(c, new DateOnly(2027, 1, 8)));
    }

    [Fact]
    public async Task Status_changes_follow_the_workflow_are_recorded_and_audited()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var submitted = await SubmitAsync(app);
        await using var scope = app.Scope();
        var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var c = (await cases.FindAsync(Admin(), submitted.Id, Ct))!;
        var actor = new CaseActor("staff-1", "審査 一郎");

        Assert.IsType<CaseChange.Done>(await cases.ChangeStatusAsync(c, CaseWorkflow.Reviewing, actor, null, Ct));
        var refused = Assert.IsType<CaseChange.Refused>(await cases.ChangeStatusAsync(c, CaseWorkflow.Received, actor, null, Ct));
        Assert.Contains("「審査中」から「受付」には移せません", refused.Message);
        Assert.IsType<CaseChange.Refused>(await cases.ChangeStatusAsync(c, CaseWorkflow.Correction, actor, null, Ct));
        Assert.IsType<CaseChange.Done>(await cases.ChangeStatusAsync(c, CaseWorkflow.Completed, actor, "審査完了", Ct));

        var stored = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == c.Id, Ct);
        Assert.Equal(CaseWorkflow.Completed, stored.Status);
        Assert.NotNull(stored.ClosedAt);
        var steps = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == c.Id && e.Kind == CaseEventKinds.Status).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(Ct);
        Assert.Equal([CaseWorkflow.Reviewing, CaseWorkflow.Completed], steps.Select(e => e.ToStatus));
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == "case.status-changed" && a.TargetId == c.Id.ToString(), Ct));
    }

    [Fact]
    public async Task A_stale_case_does_not_overwrite_a_change_made_meanwhile()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var submitted = await SubmitAsync(app);
        await using var one = app.Scope();
        await using var two = app.Scope();
        var first = one.ServiceProvider.GetRequiredService<CaseService>();
        var second = two.ServiceProvider.GetRequiredService<CaseService>();
        var a = (await first.FindAsync(Admin(), submitted.Id, Ct))!;
        var b = (await second.FindAsync(Admin(), submitted.Id, Ct))!;
        Assert.IsType<CaseChange.Done>(await first.ChangeStatusAsync(a, CaseWorkflow.Rejected, new CaseActor("1", "A"), null, Ct));
        Assert.IsType<CaseChange.Conflict>(await second.ChangeStatusAsync(b, CaseWorkflow.Completed, new CaseActor("2", "B"), null, Ct));
        await using var check = app.Scope();
        Assert.Equal(CaseWorkflow.Rejected, (await check.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.SingleAsync(Ct)).Status);
    }

    [Fact]
    public void A_workflow_with_an_unknown_transition_or_no_closed_status_is_refused_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => CaseWorkflow.Parse("""
            {"statuses":[{"code":"new","ja":"新規","en":"","easy":"","kind":"open","next":["done2"]},{"code":"done","ja":"完了","en":"","easy":"","kind":"open","next":[]}]}
            """));
        Assert.Contains("移り先 'done2' はこのワークフローにありません", e.Message);
        Assert.Contains("終わりの状態", e.Message);
        Assert.Equal(CaseWorkflow.Default.Statuses.Count, CaseWorkflow.Parse(CaseWorkflow.Default.ToJson()).Statuses.Count);
    }
}
