using System.Net;
using System.Security.Claims;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>保存年限 (DESIGN.md §4.9): purged at the boundary day, not before; legal holds kept; counts kept; audited without personal data.</summary>
public sealed class RetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);
    private static ClaimsPrincipal Admin() => new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

    private static async Task<Guid> SubmitAndCloseAsync(MadoguchiFactory app, DateTimeOffset at, bool withFile = false)
    {
        app.Clock.Set(at);
        using var client = app.CreatePlainClient();
        using var response = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var id = await db.Cases.Where(c => c.ReceivedAt == at.ToUniversalTime()).Select(c => c.Id).SingleAsync(Ct);
        if (withFile)
        {
            var storage = scope.ServiceProvider.GetRequiredService<Storage>();
            var path = $"attachments/test/{Guid.NewGuid()}";
            Directory.CreateDirectory(Path.GetDirectoryName(AttachmentStore.FilePath(storage, path))!);
            await File.WriteAllTextAsync(AttachmentStore.FilePath(storage, path), "%PDF-1.4", Ct);
            db.Attachments.Add(new Attachment { SubmissionId = id, FieldKey = "proof", Kind = "pdf", Size = 8, OriginalName = "住民票.pdf", StoredPath = path, UploadedAt = at });
            await db.SaveChangesAsync(Ct);
        }
        var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
        var c = (await cases.FindAsync(Admin(), id, Ct))!;
        Assert.IsType<CaseChange.Done>(await cases.ChangeStatusAsync(c, CaseWorkflow.Completed, new CaseActor("s", "職員"), null, Ct));
        return id;
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Cases_go_on_the_first_day_after_their_period_except_under_legal_hold_and_their_counts_stay()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        // Closed in FY2026 (2026-06-01): 5 years from 2027-04-01 → kept to 2032-03-31, purged from 2032-04-01.
        var purged = await SubmitAndCloseAsync(app, new DateTimeOffset(2026, 6, 1, 10, 0, 0, Jst), withFile: true);
        var held = await SubmitAndCloseAsync(app, new DateTimeOffset(2026, 6, 2, 10, 0, 0, Jst));
        // Received in FY2026 but closed on 2027-04-01 (FY2027): kept a year longer.
        var later = await SubmitAndCloseAsync(app, new DateTimeOffset(2027, 3, 30, 9, 0, 0, Jst));
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await db.Cases.Where(c => c.Id == later).ExecuteUpdateAsync(u => u.SetProperty(c => c.ClosedOn, new DateOnly(2027, 4, 1)), Ct);
            // The case that goes was a counter application: FY2026 is 2 online of 3 before and after.
            await db.Cases.Where(c => c.Id == purged).ExecuteUpdateAsync(u => u.SetProperty(c => c.Channel, CaseChannel.Counter), Ct);
            var procedure = await db.Procedures.Select(p => p.Id).SingleAsync(Ct);
            db.LedgerSettings.Add(new LedgerSettings { ProcedureId = procedure, RetentionYears = 5 });
            await db.SaveChangesAsync(Ct);
            var hold = scope.ServiceProvider.GetRequiredService<RetentionService>();
            var refused = await hold.HoldAsync(await db.Cases.SingleAsync(c => c.Id == held, Ct), true, " ", new CaseActor("m", "課長"), Ct);
            Assert.Contains("理由を入力してください", Assert.IsType<CaseChange.Refused>(refused).Message);
            Assert.IsType<CaseChange.Done>(await hold.HoldAsync(await db.Cases.SingleAsync(c => c.Id == held, Ct), true, "審査請求中", new CaseActor("m", "課長"), Ct));
        }
        string file;
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            file = AttachmentStore.FilePath(scope.ServiceProvider.GetRequiredService<Storage>(), await db.Attachments.Select(a => a.StoredPath).SingleAsync(Ct));
        }
        Assert.True(File.Exists(file));

        // The last day of the period: nothing goes.
        app.Clock.Set(new DateTimeOffset(2032, 3, 31, 23, 59, 0, Jst));
        ProcedureYear before;
        await using (var scope = app.Scope())
        {
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<RetentionService>().RunAsync(Ct));
            before = await Fy2026Async(scope);
        }
        Assert.Equal((3, 2, 66.7m), (before.Total, before.Online, before.UsageRatePercent));
        app.Clock.Set(new DateTimeOffset(2032, 4, 1, 0, 0, 0, Jst));
        await using (var scope = app.Scope())
        {
            var run = await scope.ServiceProvider.GetRequiredService<RetentionService>().RunAsync(Ct);
            Assert.Equal(1, Assert.Single(run).Cases);
            Assert.Equal(1, run[0].Files);
        }
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.Equal([held, later], (await db.Cases.Select(c => c.Id).ToListAsync(Ct)).Order());
            Assert.False(await db.Submissions.AnyAsync(s => s.Id == purged, Ct));
            Assert.False(await db.CaseEvents.AnyAsync(e => e.CaseId == purged, Ct));
            Assert.False(await db.Attachments.AnyAsync(Ct));
            Assert.False(File.Exists(file));
            var tally = await db.CaseTallies.SingleAsync(Ct);
            Assert.Equal((2026, CaseChannel.Counter, 1), (tally.FiscalYear, tally.Channel, tally.Purged));
            // The purged fiscal year's usage rate is what it was.
            Assert.Equal(before, await Fy2026Async(scope));
            var entry = await db.AuditEntries.SingleAsync(a => a.Action == "case.purged", Ct);
            Assert.Equal(purged.ToString(), entry.TargetId);
            Assert.Contains("受付日 2026-06-01", entry.Detail);
            Assert.DoesNotContain("山田", entry.Detail);
        }
    }

    private static async Task<ProcedureYear> Fy2026Async(AsyncServiceScope scope)
    {
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var procedure = await db.Procedures.Select(p => p.Id).SingleAsync(Ct);
        var stats = await scope.ServiceProvider.GetRequiredService<OnlineKpiService>().ProcedureStatsAsync(procedure, ct: Ct);
        var year = stats.Years.Single(y => y.FiscalYear == 2026);
        // Processing figures come from live cases only; the usage counts are what must not change.
        return year with { Processing = null };
    }

    [Fact]
    public async Task The_cli_sets_and_lifts_a_legal_hold_with_a_history_line_and_an_audit_entry_each()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await SubmissionKit.PublishAsync(app);
        var id = await SubmitAndCloseAsync(app, new DateTimeOffset(2026, 6, 2, 10, 0, 0, Jst));
        string receipt;
        await using (var scope = app.Scope())
        {
            receipt = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Where(c => c.Id == id).Select(c => c.ReceiptNumber).SingleAsync(Ct);
        }

        var refused = await CliRunner.RunAsync(app.Database, "retention", "hold", "--receipt", receipt);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("理由を入力してください", refused.Stderr);
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "retention", "hold", "--receipt", receipt, "--reason", "審査請求中")).ExitCode);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == id, Ct);
            Assert.True(c.LegalHold);
            Assert.Equal("審査請求中", c.LegalHoldReason);
        }
        Assert.Equal(0, (await CliRunner.RunAsync(app.Database, "retention", "hold", "--receipt", receipt, "--release")).ExitCode);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.False((await db.Cases.AsNoTracking().SingleAsync(x => x.Id == id, Ct)).LegalHold);
            var lines = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == id && e.Kind == CaseEventKinds.Hold).Select(e => e.Text).ToListAsync(Ct);
            Assert.Equal(["保存延長を解除", "保存延長（リーガルホールド）: 審査請求中"], lines.Order(StringComparer.Ordinal));
            Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == AuditActions.CaseHold && a.TargetId == id.ToString(), Ct));
        }
    }

    [Fact]
    public void The_period_counts_from_the_April_after_the_fiscal_year_of_closing()
    {
        Assert.Equal(new DateOnly(2032, 4, 1), RetentionService.PurgeFrom(new DateOnly(2026, 6, 1), 5));
        Assert.Equal(new DateOnly(2032, 4, 1), RetentionService.PurgeFrom(new DateOnly(2027, 3, 31), 5));
        Assert.Equal(new DateOnly(2033, 4, 1), RetentionService.PurgeFrom(new DateOnly(2027, 4, 1), 5));
        // A case is purged on a day d exactly when it closed before ClosedBefore(d).
        var closed = new DateOnly(2026, 6, 1);
        Assert.False(closed < RetentionService.ClosedBefore(new DateOnly(2032, 3, 31), 5));
        Assert.True(closed < RetentionService.ClosedBefore(new DateOnly(2032, 4, 1), 5));
    }
}
