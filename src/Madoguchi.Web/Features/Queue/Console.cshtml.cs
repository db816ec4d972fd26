using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// The counter console: choose a counter and today's services, then call and move tickets. Every
/// action is a plain form (post-redirect-get) going through <see cref="CounterOperations"/>, like the API.
/// </summary>
[Authorize(Policy = Policies.QueueWrite)]
public sealed class ConsoleModel(CounterOperations ops, MadoguchiDbContext db, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Counter { get; set; }

    public List<(Platform.Office Office, List<QueueCounter> Counters)> Offices { get; } = [];
    public QueueCounter? Selected { get; private set; }
    public CounterShift? Shift { get; private set; }
    public List<QueueSection> Sections { get; private set; } = [];
    public List<QueueService> Services { get; private set; } = [];
    public Ticket? Open { get; private set; }
    public List<Ticket> Held { get; private set; } = [];
    public List<Ticket> Waiting { get; private set; } = [];
    public List<string> OverflowWarnings { get; } = [];

    [TempData]
    public string? Message { get; set; }
    [TempData]
    public string? Problem { get; set; }

    public QueueService ServiceOf(Ticket t) => Services.First(s => s.Id == t.ServiceId);
    public string StepOf(Ticket t) => ServiceOf(t).StepNames.ElementAtOrDefault(t.Step) ?? "";
    public static string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, JapanTime.Zone).ToString("HH:mm");

    public async Task OnGetAsync(CancellationToken ct)
    {
        var offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ToListAsync(ct);
        var counters = await db.QueueCounters.AsNoTracking().OrderBy(c => c.SortOrder).ToListAsync(ct);
        foreach (var o in offices.Where(o => counters.Any(c => c.OfficeId == o.Id))) Offices.Add((o, counters.Where(c => c.OfficeId == o.Id).ToList()));
        Selected = counters.FirstOrDefault(c => c.Id == Counter);
        if (Selected is null) return;
        var today = ops.Today;
        var now = clock.GetUtcNow();
        Shift = await ops.ShiftAsync(Selected.Id, ct);
        Sections = await db.QueueSections.AsNoTracking().Where(s => s.OfficeId == Selected.OfficeId).OrderBy(s => s.SortOrder).ToListAsync(ct);
        Services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == Selected.OfficeId).OrderBy(s => s.SortOrder).ToListAsync(ct);
        Open = await ops.CurrentAsync(Selected.Id, ct);
        var mine = Shift?.Services ?? [];
        Held = await db.Tickets.AsNoTracking().Where(t => t.OfficeId == Selected.OfficeId && t.ServiceDate == today && t.Status == TicketStatus.Held && mine.Contains(t.ServiceId))
            .OrderBy(t => t.ArrivedAt).ToListAsync(ct);
        Waiting = await db.Tickets.AsNoTracking().Where(t => t.OfficeId == Selected.OfficeId && t.ServiceDate == today && mine.Contains(t.ServiceId))
            .Where(QueueQueries.IsWaiting(now)).InCallingOrder().Take(30).ToListAsync(ct);
        var office = offices.First(o => o.Id == Selected.OfficeId);
        var exhausted = await db.Tickets.AsNoTracking().Where(t => t.OfficeId == office.Id && t.ServiceDate == today && t.Overflow)
            .Select(t => t.ServiceId).Distinct().ToListAsync(ct);
        foreach (var s in Services.Where(s => exhausted.Contains(s.Id)))
        {
            OverflowWarnings.Add($"「{s.Name}」の番号（{s.RangeFrom}〜{s.RangeTo}）を使い切りました。予備の番号（{office.OverflowFrom}〜{office.OverflowTo}）で発券しています。予備の番号の方も同じ受付内容です。");
        }
    }

    public async Task<IActionResult> OnPostAssignAsync(Guid counter, List<Guid> services, List<string> steps, CancellationToken ct)
    {
        try
        {
            await ops.AssignAsync(counter, UserId, services, steps, ct);
            Message = "今日の担当を設定しました。";
        }
        catch (QueueException e)
        {
            Problem = e.Message;
        }
        return RedirectToPage(new { counter });
    }

    public async Task<IActionResult> OnPostActAsync(Guid counter, string op, Guid? ticket, string? target, CancellationToken ct)
    {
        try
        {
            CounterResult? result = op switch
            {
                "call-next" => await ops.CallNextAsync(counter, UserId, ticket, ct),
                "recall" => await ops.RecallAsync(counter, UserId, ct),
                "hold" => await ops.HoldAsync(counter, UserId, ct),
                "no-show" => await ops.NoShowAsync(counter, UserId, ct),
                "complete" => await ops.CompleteAsync(counter, UserId, ct),
                "transfer" => await TransferAsync(counter, target, ct),
                _ => throw new QueueException(400, "unknown-action", "その操作はありません。"),
            };
            Message = result is null ? "待っている方はいません。" : Describe(result);
        }
        catch (QueueException e)
        {
            Problem = e.Message;
        }
        return RedirectToPage(new { counter });
    }

    private Task<CounterResult> TransferAsync(Guid counter, string? target, CancellationToken ct)
    {
        // "serviceId:step" from one select, so the choice works without JavaScript.
        var parts = (target ?? "").Split(':');
        if (parts.Length != 2 || !Guid.TryParse(parts[0], out var service) || !int.TryParse(parts[1], out var step))
        {
            throw new QueueException(422, "target-required", "回付先を選んでください。");
        }
        return ops.TransferAsync(counter, UserId, service, step, ct);
    }

    private static string Describe(CounterResult r) => r.Action switch
    {
        CounterAction.CallNext => $"{r.Ticket.Number}番 を呼び出しました（{r.Service.Name}・{r.StepName}）。",
        CounterAction.Recall => $"{r.Ticket.Number}番 を再呼び出ししました。",
        CounterAction.Hold => $"{r.Ticket.Number}番 を保留にしました。保留の一覧から呼び出せます。",
        CounterAction.NoShow => r.Ticket.ReturnsAt is { } at ? $"{r.Ticket.Number}番 を不在にしました。{Local(at)} に待ち行列へ戻ります。" : $"{r.Ticket.Number}番 を不在にしました（2回目のため待ち行列には戻りません）。",
        CounterAction.Transfer => $"{r.Ticket.Number}番 を「{r.Service.Name}・{r.StepName}」へ回付しました（受付時刻はそのままです）。",
        _ => r.Ticket.Status == TicketStatus.Done ? $"{r.Ticket.Number}番 の対応を完了しました。" : $"{r.Ticket.Number}番 は次の工程「{r.StepName}」の待ちになりました。",
    };

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
}
