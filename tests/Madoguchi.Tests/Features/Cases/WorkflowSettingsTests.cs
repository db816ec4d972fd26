using System.Globalization;
using System.Net;
using System.Security.Claims;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>A procedure's workflow and 標準処理期間 edited on /staff/ledger/{id}/settings by its department's manager.</summary>
public sealed class WorkflowSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClaimsPrincipal Admin() => new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

    private static Dictionary<string, string> Fields(IEnumerable<CaseStatus> statuses, int? days = null)
    {
        var fields = new Dictionary<string, string>();
        var i = 0;
        foreach (var s in statuses)
        {
            fields[$"Input.Statuses[{i}].Code"] = s.Code;
            fields[$"Input.Statuses[{i}].Ja"] = s.Ja;
            fields[$"Input.Statuses[{i}].En"] = s.En;
            fields[$"Input.Statuses[{i}].Easy"] = s.Easy;
            fields[$"Input.Statuses[{i}].Kind"] = WorkflowSettingsModel.KindName(s.Kind);
            for (var j = 0; j < s.Next.Count; j++) fields[$"Input.Statuses[{i}].Next[{j}]"] = s.Next[j];
            i++;
        }
        if (days is int d) fields["Input.StandardProcessingDays"] = d.ToString(CultureInfo.InvariantCulture);
        return fields;
    }

    private static async Task<Guid> OneCaseAsync(MadoguchiFactory app)
    {
        using var resident = app.CreatePlainClient();
        Assert.Equal(HttpStatusCode.Created, (await SubmissionKit.PostAsync(resident, SubmissionKit.GoodAnswers())).StatusCode);
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Select(c => c.Id).SingleAsync(Ct);
    }

    private static async Task<CaseChange> MoveAsync(MadoguchiFactory app, Guid caseId, string to)
    {
        await using var scope = app.Scope();
        var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
        return await cases.ChangeStatusAsync((await cases.FindAsync(Admin(), caseId, Ct))!, to, new CaseActor("t", "テスト"), null, Ct);
    }

    private static async Task<string> Html(HttpResponseMessage r) => WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync(Ct));

    [Fact]
    public async Task An_unknown_transition_or_removing_a_status_open_cases_use_is_refused_and_nothing_is_saved()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var manager = await app.SignedInClientAsync(Roles.Manager, department.Id);
        var url = $"/staff/ledger/{procedureId}/settings";
        var caseId = await OneCaseAsync(app);
        Assert.IsType<CaseChange.Done>(await MoveAsync(app, caseId, CaseWorkflow.Reviewing));

        var unknown = CaseWorkflow.Default.Statuses.Select(s => s.Code == CaseWorkflow.Received ? s with { Next = [.. s.Next, "nowhere"] } : s);
        var refused = await MadoguchiFactory.PostFormAsync(manager, url, Fields(unknown));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("移り先 'nowhere' はこのワークフローにありません", await Html(refused));

        var withoutReviewing = CaseWorkflow.Default.Statuses.Where(s => s.Code != CaseWorkflow.Reviewing);
        var used = await MadoguchiFactory.PostFormAsync(manager, url, Fields(withoutReviewing, days: 10));
        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        Assert.Contains("状態「審査中」（reviewing）は処理中の申請 1 件で使われているため削除できません", await Html(used));

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal(0, await db.LedgerSettings.CountAsync(Ct));
        Assert.Null((await db.Procedures.AsNoTracking().SingleAsync(p => p.Id == procedureId, Ct)).StandardProcessingDays);
        Assert.Equal(0, await db.AuditEntries.CountAsync(a => a.Action == "case.workflow-edited", Ct));
    }

    [Fact]
    public async Task A_correction_status_that_cannot_return_to_review_is_refused_with_the_reason()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var manager = await app.SignedInClientAsync(Roles.Manager, department.Id);
        var url = $"/staff/ledger/{procedureId}/settings";

        var noWayBack = CaseWorkflow.Default.Statuses.Select(s => s.Code == CaseWorkflow.Correction ? s with { Next = [CaseWorkflow.Rejected, CaseWorkflow.Withdrawn] } : s);
        var refused = await MadoguchiFactory.PostFormAsync(manager, url, Fields(noWayBack));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("補正待ちの状態「補正依頼」から「審査中」に移せるようにしてください", await Html(refused));

        await using var scope = app.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().LedgerSettings.CountAsync(Ct));
    }

    [Fact]
    public async Task Changing_the_kind_of_a_status_open_cases_are_in_is_refused_with_the_status_and_the_count()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var manager = await app.SignedInClientAsync(Roles.Manager, department.Id);
        var url = $"/staff/ledger/{procedureId}/settings";
        var caseId = await OneCaseAsync(app);
        Assert.IsType<CaseChange.Done>(await MoveAsync(app, caseId, CaseWorkflow.Reviewing));

        // 審査中 made an end status (with its own new status to return to from 補正, so only the kind is wrong).
        var statuses = CaseWorkflow.Default.Statuses.Select(s => s.Code switch
        {
            CaseWorkflow.Reviewing => s with { Kind = StatusKind.Closed, Next = [] },
            CaseWorkflow.Received => s with { Next = [.. s.Next, "checking"] },
            CaseWorkflow.Correction => s with { Next = [.. s.Next, "checking"] },
            _ => s,
        }).ToList();
        statuses.Insert(1, new CaseStatus("checking", "確認中", "Checking", "しらべています", StatusKind.Open, [CaseWorkflow.Correction, CaseWorkflow.Completed]));
        var refused = await MadoguchiFactory.PostFormAsync(manager, url, Fields(statuses));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("状態「審査中」（reviewing）は処理中の申請 1 件で使われているため種類を変えられません", await Html(refused));
        await using (var scope = app.Scope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().LedgerSettings.CountAsync(Ct));
        }
        // The case can still move on, and once no open case is in 審査中 the change is taken.
        Assert.IsType<CaseChange.Done>(await MoveAsync(app, caseId, CaseWorkflow.Completed));
        Assert.Equal(HttpStatusCode.Redirect, (await MadoguchiFactory.PostFormAsync(manager, url, Fields(statuses))).StatusCode);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task A_manager_renames_adds_a_status_and_sets_the_standard_days_all_audited_then_resets_once_no_open_case_uses_the_added_status()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("子ども未来部", "子育て支援課");
        var procedureId = await KeyingKit.PublishAsync(app, department);
        var manager = await app.SignedInClientAsync(Roles.Manager, department.Id);
        var staff = await app.SignedInClientAsync(Roles.Staff, department.Id);
        var url = $"/staff/ledger/{procedureId}/settings";
        var denied = await staff.GetAsync(url, Ct);
        Assert.StartsWith("/staff/denied", denied.Headers.Location!.PathAndQuery());
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync(url, Ct)).StatusCode);

        var statuses = CaseWorkflow.Default.Statuses.Select(s => s.Code switch
        {
            CaseWorkflow.Received => s with { Next = [.. s.Next, "on-hold"] },
            CaseWorkflow.Reviewing => s with { Ja = "内容確認中" },
            _ => s,
        }).Append(new CaseStatus("on-hold", "保留", "On hold", "まっています", StatusKind.Open, [CaseWorkflow.Reviewing, CaseWorkflow.Withdrawn]));
        var saved = await MadoguchiFactory.PostFormAsync(manager, url, Fields(statuses, days: 10));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("保存しました", await manager.GetStringAsync(url, Ct));

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var workflow = CaseWorkflow.Parse((await db.LedgerSettings.AsNoTracking().SingleAsync(Ct)).WorkflowJson);
            Assert.Equal("内容確認中", workflow.Name(CaseWorkflow.Reviewing));
            Assert.True(workflow.Allows(CaseWorkflow.Received, "on-hold"));
            Assert.Equal(10, (await db.Procedures.AsNoTracking().SingleAsync(p => p.Id == procedureId, Ct)).StandardProcessingDays);
            var change = await db.ProcedureChanges.AsNoTracking().SingleAsync(c => c.ProcedureId == procedureId && c.Source == "ledger-settings", Ct);
            Assert.Contains("StandardProcessingDays", change.ChangesJson);
            Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == "case.workflow-edited" && a.TargetId == procedureId.ToString(), Ct));
            Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == "inventory.edited" && a.TargetId == procedureId.ToString(), Ct));
        }

        // The new workflow is the one cases follow; a case put on hold keeps "保留" from being dropped by a reset.
        var caseId = await OneCaseAsync(app);
        Assert.IsType<CaseChange.Done>(await MoveAsync(app, caseId, "on-hold"));
        var reset = await MadoguchiFactory.PostFormAsync(manager, url + "?handler=Reset", [], getUrl: url);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Contains("状態「保留」（on-hold）は処理中の申請 1 件で使われているため削除できません", await Html(reset));

        Assert.IsType<CaseChange.Done>(await MoveAsync(app, caseId, CaseWorkflow.Withdrawn));
        var again = await MadoguchiFactory.PostFormAsync(manager, url + "?handler=Reset", [], getUrl: url);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        await using var check = app.Scope();
        var after = check.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        Assert.Equal("", (await after.LedgerSettings.AsNoTracking().SingleAsync(Ct)).WorkflowJson);
        Assert.Equal(2, await after.AuditEntries.CountAsync(a => a.Action == "case.workflow-edited", Ct));
    }
}
