using System.Globalization;
using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// A procedure's scheduled export: every business day at a Japan time, a format, which cases, and the
/// sub-folder of the operators' export root; with the runs (time, rows, file, error). Staff of the
/// procedure's department; another department's procedure answers 404. Changes are audited.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class ScheduleModel(MadoguchiDbContext db, StaffScope scope, AuditTrail audit, TimeProvider clock, IOptions<ScheduledExportOptions> options) : PageModel
{
    public const int RunsShown = 30;

    public sealed record ScheduleInput
    {
        /// <summary>HH:MM, Japan time.</summary>
        public string? Time { get; init; }
        public string? Format { get; init; }
        /// <summary>all, open or new.</summary>
        public string? Cases { get; init; }
        public string? Folder { get; init; }
        public bool Active { get; init; } = true;
    }

    [BindProperty] public ScheduleInput Input { get; set; } = new();
    [TempData] public string? Notice { get; set; }
    public LedgerProcedure Procedure { get; private set; } = null!;
    public ExportSchedule? Current { get; private set; }
    public IReadOnlyList<ExportRun> Runs { get; private set; } = [];
    public string? Root => options.Value.Root;

    public static string CasesCode(ScheduledCases c) => c switch { ScheduledCases.Open => "open", ScheduledCases.SinceLastRun => "new", _ => "all" };

    public static string CasesLabel(ScheduledCases c) => c switch
    {
        ScheduledCases.Open => "処理中の申請（完結していないもの）",
        ScheduledCases.SinceLastRun => "前回の出力のあとに台帳に加わった申請",
        _ => "この手続の申請すべて",
    };

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        if (Current is not null)
        {
            Input = new ScheduleInput { Time = Current.TimeText, Format = LedgerExportSource.FormatCode(Current.Format), Cases = CasesCode(Current.Cases), Folder = Current.Folder, Active = Current.Active };
        }
        else
        {
            Input = new ScheduleInput { Time = "08:00", Format = "csv", Cases = "all" };
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        var minute = ReadTime(Input.Time);
        if (minute is null) ModelState.AddModelError("Input.Time", $"時刻「{Input.Time}」は読めません。24時間制の 時:分（例: 08:00、17:30）で入力してください。");
        var format = LedgerExportSource.ParseFormat(Input.Format);
        if (format is null) ModelState.AddModelError("Input.Format", "ファイルの形式を選んでください。");
        ScheduledCases? cases = Input.Cases switch { "all" => ScheduledCases.All, "open" => ScheduledCases.Open, "new" => ScheduledCases.SinceLastRun, _ => null };
        if (cases is null) ModelState.AddModelError("Input.Cases", "出力する申請（すべて・処理中・前回から増えた分）を選んでください。");
        if (ExportFolders.Check(Input.Folder) is { } folderError) ModelState.AddModelError("Input.Folder", folderError);
        if (!ModelState.IsValid) return Page();

        var calendar = await HttpContext.RequestServices.GetRequiredService<BusinessCalendarService>().LoadAsync(ct);
        // The schedule starts with its next slot: a time already past today does not run at once.
        var slot = ScheduledExportRunner.Slot(calendar, JapanTime.Now(clock), minute!.Value);
        var schedule = Current is null ? db.ExportSchedules.Add(new ExportSchedule { ProcedureId = Procedure.Id }).Entity : db.ExportSchedules.Attach(Current).Entity;
        var isNew = Current is null;
        if (isNew || cases != schedule.Cases)
        {
            // "Since the last run" starts from now, not from the ledger's first case.
            schedule.LastSequence = await db.Cases.Where(c => c.ProcedureId == Procedure.Id).MaxAsync(c => (long?)c.Sequence, ct) ?? 0;
        }
        schedule.MinuteOfDay = minute.Value;
        schedule.Format = format!.Value;
        schedule.Cases = cases!.Value;
        schedule.Folder = Input.Folder!.Trim();
        schedule.Active = Input.Active;
        schedule.DoneOn = schedule.DoneOn is { } done && done > slot ? done : slot;
        schedule.RetryAfter = null;
        schedule.UpdatedAt = clock.GetUtcNow();
        schedule.UpdatedBy = await NameAsync(ct);
        await audit.AppendAsync(new AuditEvent(AuditActions.ExportScheduleSaved, "procedure", Procedure.Id.ToString())
        {
            DepartmentId = Procedure.DepartmentId,
            Detail = string.Create(CultureInfo.InvariantCulture, $"time={schedule.TimeText} format={LedgerExportSource.FormatCode(schedule.Format)} cases={CasesCode(schedule.Cases)} folder={schedule.Folder} active={schedule.Active}"),
        }, ct);
        Notice = schedule.Active
            ? $"定期出力を保存しました。開庁日の {schedule.TimeText} に「{schedule.Folder}」へ出力します（次回: {Wareki.Format(NextRun(calendar, schedule))}）。"
            : "定期出力を保存しました（停止中）。";
        return Redirect($"/staff/ledger/{Procedure.Id}/exports");
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        if (Current is null) return Redirect($"/staff/ledger/{Procedure.Id}/exports");
        db.ExportSchedules.Remove(db.ExportSchedules.Attach(Current).Entity);
        await audit.AppendAsync(new AuditEvent(AuditActions.ExportScheduleRemoved, "procedure", Procedure.Id.ToString())
        {
            DepartmentId = Procedure.DepartmentId,
            Detail = $"time={Current.TimeText} folder={Current.Folder}",
        }, ct);
        Notice = "定期出力を削除しました。これまでに出力したファイルはフォルダに残っています。";
        return Redirect($"/staff/ledger/{Procedure.Id}/exports");
    }

    /// <summary>The business day the schedule runs next (after the last one done).</summary>
    public DateOnly NextRun(BusinessCalendar calendar, ExportSchedule s)
    {
        var today = JapanTime.Today(clock);
        var from = s.DoneOn is { } d && d >= today ? d : today.AddDays(-1);
        return calendar.NextBusinessDay(from);
    }

    public static int? ReadTime(string? text)
    {
        var t = TextNormalizer.Normalize(text ?? "").Trim().Replace('時', ':').Replace("分", "", StringComparison.Ordinal);
        var parts = t.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)) return null;
        return h is >= 0 and < 24 && m is >= 0 and < 60 && parts[1].Length == 2 ? h * 60 + m : null;
    }

    private async Task<string> NameAsync(CancellationToken ct)
    {
        var id = User.FindFirstValue(ClaimTypes.NameIdentifier);
        var name = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        return string.IsNullOrEmpty(name) ? User.Identity?.Name ?? "" : name;
    }

    private async Task<bool> LoadAsync(Guid procedureId, CancellationToken ct)
    {
        if (await LedgerSource.LoadAsync(db, scope, User, procedureId, ct) is not { } procedure) return false;
        Procedure = procedure;
        Current = await db.ExportSchedules.AsNoTracking().FirstOrDefaultAsync(s => s.ProcedureId == procedureId, ct);
        if (Current is not null)
        {
            var id = Current.Id;
            Runs = await db.ExportRuns.AsNoTracking().Where(r => r.ScheduleId == id).OrderByDescending(r => r.StartedAt).Take(RunsShown).ToListAsync(ct);
        }
        return true;
    }
}
