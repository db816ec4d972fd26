using System.Globalization;
using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Exports;

/// <summary>Operators' settings of scheduled exports (Madoguchi:Exports in appsettings or environment variables).</summary>
public sealed class ScheduledExportOptions
{
    public const string Section = "Madoguchi:Exports";

    /// <summary>The folder every scheduled export goes under (e.g. a share the RPA robot reads); unset = schedules cannot run.</summary>
    public string? Root { get; set; }
    /// <summary>How often each instance looks for due schedules; 0 turns the background loop off.</summary>
    public int PollSeconds { get; set; } = 60;
    /// <summary>The pause before a failed run is tried again.</summary>
    public int RetryMinutes { get; set; } = 10;
}

/// <summary>Where a schedule writes: a sub-folder of the root that staff name, checked so that it never leaves the root.</summary>
public static class ExportFolders
{
    /// <summary>Why the folder name cannot be used (Japanese), or null.</summary>
    public static string? Check(string? folder)
    {
        var f = folder?.Trim() ?? "";
        if (f.Length == 0) return "出力先のフォルダ名を入力してください（例: jyuminhyo）。";
        if (f.Length > ExportSchedule.MaxFolderLength) return $"フォルダ名が長すぎます（{f.Length}文字）。{ExportSchedule.MaxFolderLength}文字以内にしてください。";
        if (Path.IsPathRooted(f) || f.StartsWith('/') || f.StartsWith('\\') || (f.Length > 1 && f[1] == ':'))
        {
            return $"「{f}」は絶対パスです。出力先のルートの下のフォルダ名だけを入力してください（例: kokumin/daily）。";
        }
        var invalid = Path.GetInvalidFileNameChars().Concat(['\\', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();
        foreach (var part in f.Split('/'))
        {
            if (part is "" or "." or "..") return $"「{f}」に「{(part.Length == 0 ? "//" : part)}」は使えません。ルートの下のフォルダ名を「/」で区切って入力してください。";
            if (part.Any(c => invalid.Contains(c) || char.IsControl(c))) return $"「{part}」にフォルダ名に使えない文字（\\ : * ? \" < > | など）があります。";
            if (part != part.Trim() || part.EndsWith('.')) return $"「{part}」の前後の空白や末尾の「.」は使えません。";
        }
        return null;
    }

    /// <summary>The full path of a checked folder under the root; null when it would leave the root.</summary>
    public static string? Resolve(string root, string folder)
    {
        if (Check(folder) is not null) return null;
        var rootFull = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(rootFull, folder.Trim()));
        var prefix = rootFull.EndsWith(Path.DirectorySeparatorChar) ? rootFull : rootFull + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }
}

/// <summary>
/// Runs due schedules. A schedule is due when its latest business-day slot (today at its time, or the
/// last business day before) has not run yet, so a missed day after downtime runs once, not once per
/// missed day. Each run is claimed by a conditional UPDATE with a lease (docs/adr/0013), so among several
/// instances on one database only one writes the file. The file is written under a hidden .part name
/// in the target folder and then renamed: a robot never sees half a file.
/// </summary>
public sealed partial class ScheduledExportRunner(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ScheduledExportOptions> options, ILogger<ScheduledExportRunner> log)
{
    /// <summary>Longer than any export takes; a lease runs out only when its instance died mid-run.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromHours(1);

    /// <summary>The system acts for the schedule's department: it may load any procedure's ledger.</summary>
    private static readonly ClaimsPrincipal System = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "scheduled-export"));

    /// <summary>The business day whose run is the latest one due at <paramref name="japanNow"/>.</summary>
    public static DateOnly Slot(BusinessCalendar calendar, DateTimeOffset japanNow, int minuteOfDay)
    {
        var today = DateOnly.FromDateTime(japanNow.DateTime);
        return calendar.IsOpen(today) && japanNow.TimeOfDay >= TimeSpan.FromMinutes(minuteOfDay) ? today : calendar.PreviousBusinessDay(today);
    }

    /// <summary>Runs every schedule due now; returns how many runs this instance made (failed ones included).</summary>
    public async Task<int> RunDueAsync(CancellationToken ct = default)
    {
        List<ExportSchedule> schedules;
        BusinessCalendar calendar;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            schedules = await db.ExportSchedules.AsNoTracking().Where(s => s.Active).ToListAsync(ct);
            calendar = await scope.ServiceProvider.GetRequiredService<BusinessCalendarService>().LoadAsync(ct);
        }
        var runs = 0;
        foreach (var s in schedules)
        {
            var slot = Slot(calendar, JapanTime.Now(clock), s.MinuteOfDay);
            var now = clock.GetUtcNow();
            if (s.DoneOn >= slot || s.RetryAfter > now) continue;
            if (await RunAsync(s.Id, slot, ct)) runs++;
        }
        return runs;
    }

    private async Task<bool> RunAsync(Guid id, DateOnly slot, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var started = clock.GetUtcNow();
        var token = Guid.NewGuid();
        var until = started + Lease;
        var claimed = await db.ExportSchedules
            .Where(s => s.Id == id && s.Active && (s.DoneOn == null || s.DoneOn < slot) && (s.RetryAfter == null || s.RetryAfter <= started) && (s.LeaseUntil == null || s.LeaseUntil <= started))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseUntil, until).SetProperty(s => s.LeaseToken, token), ct);
        if (claimed == 0) return false;

        var schedule = await db.ExportSchedules.AsNoTracking().SingleAsync(s => s.Id == id, ct);
        var run = new ExportRun { ScheduleId = id, StartedAt = started, RunOn = slot };
        long maxSequence = schedule.LastSequence;
        string? temp = null;
        ExportFile? written = null;
        try
        {
            var root = options.Value.Root;
            if (string.IsNullOrWhiteSpace(root)) throw new ScheduleException($"出力先のルート（{ScheduledExportOptions.Section}:Root）が設定されていません。運用担当者に設定を依頼してください。");
            var folder = ExportFolders.Resolve(root, schedule.Folder) ?? throw new ScheduleException($"出力先のフォルダ「{schedule.Folder}」は使えません。設定画面でフォルダ名を直してください。");
            var procedure = await LedgerSource.LoadAsync(db, scope.ServiceProvider.GetRequiredService<StaffScope>(), System, schedule.ProcedureId, ct)
                ?? throw new ScheduleException("手続が見つかりません。");
            Directory.CreateDirectory(folder);
            var cases = db.Cases.Where(c => c.ProcedureId == procedure.Id);
            // One snapshot: cases committed after this point go to the next run, never half into this one.
            maxSequence = await cases.MaxAsync(c => (long?)c.Sequence, ct) ?? 0;
            var upTo = maxSequence;
            cases = cases.Where(c => c.Sequence <= upTo);
            var after = schedule.LastSequence;
            cases = schedule.Cases switch
            {
                ScheduledCases.Open => cases.Where(c => c.ClosedAt == null),
                ScheduledCases.SinceLastRun => cases.Where(c => c.Sequence > after),
                _ => cases,
            };
            var exports = scope.ServiceProvider.GetRequiredService<LedgerExportService>();
            var result = await exports.ExportAsync(procedure, cases, LedgerSort.Oldest, schedule.Format, $"schedule:{schedule.Cases} folder={schedule.Folder}", ct);
            written = result.File;
            var name = FileName(procedure.Code, schedule.Format, JapanTime.Now(clock), folder);
            temp = Path.Combine(folder, "." + name + ".part");
            File.Move(result.File.Path, temp);
            File.Move(temp, Path.Combine(folder, name));
            temp = null;
            run.Rows = result.File.Outcome.Rows;
            run.File = Path.Combine(schedule.Folder.Trim(), name).Replace('\\', '/');
            run.Replaced = result.UnmappedCount;
            if (result.UnmappedCount > 0) run.Replacements = Clip(string.Join("\n", result.Unmapped.Take(20).Select(u => u.Message)));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            run.Error = Clip(e switch
            {
                ScheduleException => e.Message,
                // The root's own path is the operators' business: staff see their folder name.
                IOException or UnauthorizedAccessException => $"出力先のフォルダ「{schedule.Folder}」に書き込めませんでした。運用担当者にフォルダの権限・空き容量を確かめてもらってください（{Hide(e.Message)}）",
                _ => $"{e.GetType().Name}: {Hide(e.Message)}",
            });
            Failed(log, e, schedule.ProcedureId, run.Error);
            if (temp is not null && File.Exists(temp)) File.Delete(temp);
            written?.Dispose();
        }
        run.FinishedAt = clock.GetUtcNow();
        DateTimeOffset? retry = run.Succeeded ? null : run.FinishedAt + TimeSpan.FromMinutes(Math.Max(1, options.Value.RetryMinutes));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ExportRuns.Add(run);
        await db.SaveChangesAsync(ct);
        var kept = run.Succeeded
            ? await db.ExportSchedules.Where(s => s.Id == id && s.LeaseToken == token).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.DoneOn, slot).SetProperty(s => s.LastSequence, maxSequence).SetProperty(s => s.RetryAfter, (DateTimeOffset?)null)
                .SetProperty(s => s.LeaseUntil, (DateTimeOffset?)null).SetProperty(s => s.LeaseToken, (Guid?)null), ct)
            : await db.ExportSchedules.Where(s => s.Id == id && s.LeaseToken == token).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.RetryAfter, retry)
                .SetProperty(s => s.LeaseUntil, (DateTimeOffset?)null).SetProperty(s => s.LeaseToken, (Guid?)null), ct);
        await tx.CommitAsync(ct);
        if (kept == 0) LeaseLost(log, id);
        return true;
    }

    /// <summary>KT-0001_20260401-0800.csv (ASCII, for robots and core systems); _2, _3 … if a file of that minute exists.</summary>
    private static string FileName(string code, ExportFormat format, DateTimeOffset japanNow, string folder)
    {
        var safe = new string([.. code.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
        var stem = $"{safe}_{japanNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}";
        var ext = format switch { ExportFormat.Xlsx => ".xlsx", ExportFormat.CsvCp932 => "_SJIS.csv", _ => ".csv" };
        var name = stem + ext;
        for (var n = 2; File.Exists(Path.Combine(folder, name)); n++) name = $"{stem}_{n.ToString(CultureInfo.InvariantCulture)}{ext}";
        return name;
    }

    private string Hide(string message)
        => string.IsNullOrWhiteSpace(options.Value.Root) ? message : message.Replace(Path.GetFullPath(options.Value.Root), "（ルート）", StringComparison.Ordinal);

    private static string Clip(string s) => s.Length <= ExportRun.MaxTextLength ? s : s[..ExportRun.MaxTextLength];

    private sealed class ScheduleException(string message) : Exception(message);

    [LoggerMessage(LogLevel.Error, "Scheduled export of procedure {ProcedureId} failed; it is tried again later: {Error}")]
    private static partial void Failed(ILogger log, Exception e, Guid procedureId, string error);

    [LoggerMessage(LogLevel.Warning, "Scheduled export {Id}: the lease ran out before the result was written; the run is logged")]
    private static partial void LeaseLost(ILogger log, Guid id);
}

/// <summary>Looks for due schedules at start (a run missed while the app was down runs now) and then every PollSeconds.</summary>
internal sealed partial class ScheduledExportJob(ScheduledExportRunner runner, IOptions<ScheduledExportOptions> options, TimeProvider clock, ILogger<ScheduledExportJob> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.PollSeconds;
        if (seconds <= 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.RunDueAsync(stoppingToken);
            }
            // A failure of one pass (database away) must not end the loop: schedules would silently stop.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                PassFailed(log, e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds), clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Scheduled exports: a pass failed, trying again at the next poll: {Message}")]
    private static partial void PassFailed(ILogger log, string message);
}
