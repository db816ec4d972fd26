using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>
/// 予約枠の計画: staff enter the counters they plan per service and time; the slots' capacities follow
/// from it (and slots already booked take the new capacity at once).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class StaffingModel(MadoguchiDbContext db, ReservationBook book, AuditTrail audit, TimeProvider clock) : PageModel
{
    public sealed class PlanInput
    {
        [Required] public Guid? Service { get; set; }
        public int? Weekday { get; set; }
        public DateOnly? Date { get; set; }
        [Required] public TimeOnly? From { get; set; }
        [Required] public TimeOnly? To { get; set; }
        [Required] public int? Counters { get; set; }
        [Required] public int? MinutesPerVisit { get; set; }
        [Required] public int? BookablePercent { get; set; }
        [Required] public int? SlotMinutes { get; set; } = 30;
    }

    [BindProperty]
    public PlanInput Input { get; set; } = new();

    [TempData]
    public string? Message { get; set; }

    public IReadOnlyList<Office> Offices { get; private set; } = [];
    public Office? Office { get; private set; }
    public IReadOnlyList<QueueService> Services { get; private set; } = [];
    public IReadOnlyList<StaffingPlan> Plans { get; private set; } = [];
    public IEnumerable<SelectListItem> ServiceItems => Services.Select(s => new SelectListItem(s.Name, s.Id.ToString()));

    public static readonly IReadOnlyList<SelectListItem> WeekdayItems =
        [.. new[] { 1, 2, 3, 4, 5, 6, 0 }.Select(d => new SelectListItem("日月火水木金土"[d] + "曜日", d.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

    public static readonly IReadOnlyList<SelectListItem> SlotItems =
        [.. new[] { 15, 20, 30, 60 }.Select(m => new SelectListItem($"{m}分", m.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

    public string ServiceName(Guid id) => Services.FirstOrDefault(s => s.Id == id)?.Name ?? "";

    public static string When(StaffingPlan p) => p.Date is { } d ? $"{d:yyyy-MM-dd}（{"日月火水木金土"[(int)d.DayOfWeek]}）のみ" : "毎週" + "日月火水木金土"[p.Weekday ?? 0] + "曜日";

    public async Task OnGetAsync(Guid? office, CancellationToken ct) => await LoadAsync(office, ct);

    public async Task<IActionResult> OnPostAddAsync(Guid? office, CancellationToken ct)
    {
        await LoadAsync(office, ct);
        if (Office is null) return NotFound();
        ModelState.Clear();
        var i = Input;
        if (i.Service is not { } serviceId || Services.All(s => s.Id != serviceId)) ModelState.AddModelError("Input.Service", "受付内容を選んでください。");
        if (i.Weekday is null && i.Date is null) ModelState.AddModelError("Input.Weekday", "曜日を選ぶか、特定の日を入力してください。");
        if (i.Weekday is not null && i.Date is not null) ModelState.AddModelError("Input.Date", "曜日と特定の日はどちらか一方だけにしてください（特定の日の計画なら曜日を空欄に）。");
        if (i.Weekday is < 0 or > 6) ModelState.AddModelError("Input.Weekday", "曜日を選び直してください。");
        if (i.Date is { } date && date < JapanTime.Today(clock)) ModelState.AddModelError("Input.Date", $"特定の日 {date:yyyy-MM-dd} は過ぎています。今日以降の日付を入力してください。");
        if (i.From is null) ModelState.AddModelError("Input.From", "開始時刻を入力してください。例: 09:00");
        if (i.To is null) ModelState.AddModelError("Input.To", "終了時刻を入力してください。例: 12:00");
        if (i.From is { } f && i.To is { } t && t <= f) ModelState.AddModelError("Input.To", $"終了時刻（{t:H:mm}）は開始時刻（{f:H:mm}）より後にしてください。");
        if (i.Counters is not (>= 1 and <= 50)) ModelState.AddModelError("Input.Counters", $"予定窓口数は 1〜50 の整数で入力してください（入力: {i.Counters?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "なし"}）。");
        if (i.MinutesPerVisit is not (>= 1 and <= 240)) ModelState.AddModelError("Input.MinutesPerVisit", "1件あたりの所要時間は 1〜240 分で入力してください。");
        if (i.BookablePercent is not (>= 0 and <= 100)) ModelState.AddModelError("Input.BookablePercent", "予約に回す割合は 0〜100 の整数（%）で入力してください。");
        if (i.SlotMinutes is not (15 or 20 or 30 or 60)) ModelState.AddModelError("Input.SlotMinutes", "予約枠の長さは 15・20・30・60 分から選んでください。");
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var plan = new StaffingPlan
        {
            OfficeId = Office.Id,
            ServiceId = i.Service!.Value,
            Weekday = i.Weekday,
            Date = i.Date,
            From = i.From!.Value,
            To = i.To!.Value,
            Counters = i.Counters!.Value,
            MinutesPerVisit = i.MinutesPerVisit!.Value,
            BookablePercent = i.BookablePercent!.Value,
            SlotMinutes = i.SlotMinutes!.Value,
        };
        db.StaffingPlans.Add(plan);
        await audit.AppendAsync(new AuditEvent("queue.staffing.added", "staffing-plan", plan.Id.ToString())
        {
            Detail = $"office={Office.Id} service={plan.ServiceId} when={When(plan)} {plan.From:HH:mm}-{plan.To:HH:mm} counters={plan.Counters} minutes={plan.MinutesPerVisit} bookable={plan.BookablePercent}% slot={plan.SlotMinutes}",
        }, ct);
        await book.RecomputeAsync(plan.ServiceId, ct);
        Message = $"計画を追加しました（1枠の定員 {SlotPlanner.Capacity(plan)} 人）。";
        return Redirect($"/staff/queue/staffing?office={Office.Id}");
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid? office, Guid id, CancellationToken ct)
    {
        var plan = await db.StaffingPlans.FirstOrDefaultAsync(p => p.Id == id && p.OfficeId == office, ct);
        if (plan is null) return NotFound();
        db.StaffingPlans.Remove(plan);
        await audit.AppendAsync(new AuditEvent("queue.staffing.deleted", "staffing-plan", plan.Id.ToString()) { Detail = $"office={plan.OfficeId} service={plan.ServiceId}" }, ct);
        await book.RecomputeAsync(plan.ServiceId, ct);
        Message = "計画を削除しました。予約済みの方の予約はそのまま残ります。";
        return Redirect($"/staff/queue/staffing?office={plan.OfficeId}");
    }

    private async Task LoadAsync(Guid? office, CancellationToken ct)
    {
        Offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).ToListAsync(ct);
        Office = Offices.FirstOrDefault(o => o.Id == office) ?? (office is null ? Offices.FirstOrDefault() : null);
        if (Office is null) return;
        var id = Office.Id;
        Services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == id).OrderBy(s => s.SortOrder).ToListAsync(ct);
        Plans = (await db.StaffingPlans.AsNoTracking().Where(p => p.OfficeId == id).ToListAsync(ct))
            .OrderBy(p => ServiceName(p.ServiceId)).ThenBy(p => p.Date.HasValue).ThenBy(p => ((p.Weekday ?? 0) + 6) % 7).ThenBy(p => p.Date).ThenBy(p => p.From).ToList();
    }
}
