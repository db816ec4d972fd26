using System.Net;
using System.Text;
using Madoguchi.Tests.Features.Cases;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Exports;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Exports;

/// <summary>Scheduled exports (issue 8): business days of the municipality's calendar at a Japan time, a missed day run once, files renamed into place, failures logged and retried, one instance per run.</summary>
public sealed class ScheduledExportTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);
    private readonly string _root = Directory.CreateTempSubdirectory("madoguchi-exports-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<MadoguchiFactory> AppAsync() => MadoguchiFactory.CreateAsync(new()
    {
        ["Madoguchi:Exports:Root"] = _root,
        // The tests run the schedules themselves, with the fake clock.
        ["Madoguchi:Exports:PollSeconds"] = "0",
    });

    private static async Task<HttpResponseMessage> SaveAsync(HttpClient client, Guid procedureId, string time, string format, string cases, string folder)
        => await MadoguchiFactory.PostFormAsync(client, $"/staff/ledger/{procedureId}/exports", new()
        {
            ["Input.Time"] = time,
            ["Input.Format"] = format,
            ["Input.Cases"] = cases,
            ["Input.Folder"] = folder,
            ["Input.Active"] = "true",
        });

    private static Task<int> RunAsync(MadoguchiFactory app) => app.Services.GetRequiredService<ScheduledExportRunner>().RunDueAsync(Ct);

    private static async Task<List<ExportRun>> RunsAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().ExportRuns.AsNoTracking().OrderBy(r => r.StartedAt).ToListAsync(Ct);
    }

    private string[] Files(string folder) => Directory.Exists(Path.Combine(_root, folder))
        ? [.. Directory.GetFiles(Path.Combine(_root, folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
        : [];

    [Fact]
    public async Task Runs_at_eight_on_business_days_only_once_per_day_and_once_after_missed_days_with_the_ledger_in_the_file()
    {
        await using var app = await AppAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 7, 0, 0, Jst)); // Wednesday
        var setup = await LedgerKit.PublishAsync(app);
        var a = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));
        var b = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("𠮷田"));
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);

        var saved = await SaveAsync(client, setup.ProcedureId, "08:00", "csv", "all", "kokumin/daily");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/staff/ledger/{setup.ProcedureId}/exports", Ct));
        Assert.Contains("開庁日の 08:00 に「kokumin/daily」へ出力します（次回: 令和8年4月1日）", page);

        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 7, 59, 59, Jst));
        Assert.Equal(0, await RunAsync(app));
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));
        Assert.Equal(0, await RunAsync(app));
        Assert.Equal(["KT-L0001_20260401-0800.csv"], Files("kokumin/daily"));
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_root, "kokumin", "daily", "KT-L0001_20260401-0800.csv"), Ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("受付番号,氏名,住所,備考,種別,受付日時,経路,状態,担当,期限", lines[0]);
        Assert.StartsWith(a.ReceiptNumber + ",青木 花子,東京都江東区東陽四丁目11番28号,,新規,2026-04-01 07:00:00,オンライン,受付,未割当,", lines[1]);
        Assert.StartsWith(b.ReceiptNumber + ",𠮷田 花子,", lines[2]);
        Assert.Equal(3, lines.Length);

        // Down on Thursday; back on Friday at 9:00: one run for Friday, not one per missed day.
        app.Clock.Set(new DateTimeOffset(2026, 4, 3, 9, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));
        Assert.Equal(0, await RunAsync(app));
        // Saturday, 昭和の日 (Wed 4/29) and a closure (Thu 4/30) stay quiet.
        app.Clock.Set(new DateTimeOffset(2026, 4, 4, 8, 0, 0, Jst));
        Assert.Equal(0, await RunAsync(app));
        app.Clock.Set(new DateTimeOffset(2026, 4, 28, 8, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));
        app.Clock.Set(new DateTimeOffset(2026, 4, 29, 8, 30, 0, Jst));
        Assert.Equal(0, await RunAsync(app));
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<BusinessCalendarService>().AddClosureAsync(new DateOnly(2026, 4, 30), "システム更新", Ct);
        }
        app.Clock.Set(new DateTimeOffset(2026, 4, 30, 8, 0, 0, Jst));
        Assert.Equal(0, await RunAsync(app));
        app.Clock.Set(new DateTimeOffset(2026, 5, 1, 8, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));

        var runs = await RunsAsync(app);
        Assert.Equal([new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 3), new DateOnly(2026, 4, 28), new DateOnly(2026, 5, 1)], runs.Select(r => r.RunOn));
        Assert.All(runs, r => Assert.Equal((2L, (string?)null), (r.Rows, r.Error)));
        Assert.Equal(4, Files("kokumin/daily").Length);
        Assert.DoesNotContain(Directory.GetFiles(_root, "*", SearchOption.AllDirectories), f => f.EndsWith(".part", StringComparison.Ordinal));

        // Each run is in the audit trail as the system's export; the page lists the runs.
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var exported = await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.LedgerExported).ToListAsync(Ct);
            Assert.Equal(4, exported.Count);
            Assert.All(exported, e => Assert.Equal(("system", setup.ProcedureId.ToString()), (e.Actor, e.TargetId)));
            Assert.Single(await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.ExportScheduleSaved).ToListAsync(Ct));
        }
        var later = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        var runsPage = await later.GetStringAsync($"/staff/ledger/{setup.ProcedureId}/exports", Ct);
        Assert.Contains("kokumin/daily/KT-L0001_20260501-0800.csv", runsPage);
    }

    [Fact]
    public async Task A_failed_run_is_logged_on_the_page_and_tried_again_after_the_pause()
    {
        await using var app = await AppAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 7, 0, 0, Jst));
        var setup = await LedgerKit.PublishAsync(app);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveAsync(client, setup.ProcedureId, "8:00", "csv-cp932", "open", "blocked")).StatusCode);
        // A file where the folder should be: the folder cannot be made.
        await File.WriteAllTextAsync(Path.Combine(_root, "blocked"), "not a folder", Ct);

        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));
        var failed = Assert.Single(await RunsAsync(app));
        Assert.NotNull(failed.Error);
        Assert.Null(failed.File);
        var later = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        var page = WebUtility.HtmlDecode(await later.GetStringAsync($"/staff/ledger/{setup.ProcedureId}/exports", Ct));
        Assert.Contains("<strong>失敗</strong>: 出力先のフォルダ「blocked」に書き込めませんでした", page);
        Assert.DoesNotContain(_root, page);

        // Not hammered: nothing until the pause is over; then the same day's run succeeds.
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 5, 0, Jst));
        Assert.Equal(0, await RunAsync(app));
        File.Delete(Path.Combine(_root, "blocked"));
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 10, 0, Jst));
        Assert.Equal(1, await RunAsync(app));
        var retried = (await RunsAsync(app))[1];
        Assert.Equal((new DateOnly(2026, 4, 1), 1L, "blocked/KT-L0001_20260401-0810_SJIS.csv", (string?)null), (retried.RunOn, retried.Rows, retried.File, retried.Error));
        Assert.Equal(0, await RunAsync(app));
    }

    [Fact]
    public async Task Cases_since_the_last_run_go_into_one_file_each_and_cp932_gaps_are_listed_on_the_run()
    {
        await using var app = await AppAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 7, 0, 0, Jst));
        var setup = await LedgerKit.PublishAsync(app);
        var before = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveAsync(client, setup.ProcedureId, "08:00", "csv-cp932", "new", "rpa")).StatusCode);
        var first = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("𠮷田"));

        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 12, 0, 0, Jst));
        var second = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("井上"));
        app.Clock.Set(new DateTimeOffset(2026, 4, 2, 8, 0, 0, Jst));
        Assert.Equal(1, await RunAsync(app));

        var cp932 = CodePages();
        var day1 = cp932.GetString(await File.ReadAllBytesAsync(Path.Combine(_root, "rpa", "KT-L0001_20260401-0800_SJIS.csv"), Ct));
        var day2 = cp932.GetString(await File.ReadAllBytesAsync(Path.Combine(_root, "rpa", "KT-L0001_20260402-0800_SJIS.csv"), Ct));
        Assert.Contains(first.ReceiptNumber + ",〓田 花子,", day1);
        Assert.DoesNotContain(before.ReceiptNumber, day1);
        Assert.DoesNotContain(second.ReceiptNumber, day1);
        Assert.Contains(second.ReceiptNumber, day2);
        Assert.DoesNotContain(first.ReceiptNumber, day2);
        var run = (await RunsAsync(app))[0];
        Assert.Equal(1, run.Replaced);
        Assert.Contains($"受付番号 {first.ReceiptNumber}）の「氏名」: 「𠮷」(U+20BB7)", run.Replacements);
    }

    private static Encoding CodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932);
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Two_instances_on_one_database_make_one_run_and_one_file()
    {
        await using var app = await AppAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 7, 0, 0, Jst));
        var setup = await LedgerKit.PublishAsync(app);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveAsync(client, setup.ProcedureId, "08:00", "xlsx", "all", "shared")).StatusCode);
        await using var other = app.AnotherInstance();
        other.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 0, 0, Jst));
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 8, 0, 0, Jst));

        var made = await Task.WhenAll(RunAsync(app), RunAsync(other), RunAsync(app), RunAsync(other));

        Assert.Equal(1, made.Sum());
        Assert.Single(await RunsAsync(app));
        Assert.Equal(["KT-L0001_20260401-0800.xlsx"], Files("shared"));
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/../../b")]
    [InlineData("/var/exports")]
    [InlineData("C:\\exports")]
    [InlineData("a//b")]
    [InlineData("")]
    public async Task A_folder_outside_the_root_is_refused_with_a_message(string folder)
    {
        await using var app = await AppAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);

        var response = await SaveAsync(client, setup.ProcedureId, "08:00", "csv", "all", folder);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("dads-error-summary", await response.Content.ReadAsStringAsync(Ct));
        Assert.NotNull(ExportFolders.Check(folder));
        Assert.Null(ExportFolders.Resolve(_root, folder));
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().ExportSchedules.AnyAsync(Ct));
    }
}
