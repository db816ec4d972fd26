using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Webhooks;

/// <summary>The delivery log of a procedure's webhooks: each delivery with its attempts, and 再送.</summary>
[Authorize(Policy = WebhooksModule.ManagePolicy)]
public sealed class DeliveriesModel(MadoguchiDbContext db, StaffScope scope, WebhookEndpoints endpoints) : PageModel
{
    public const int PageSize = 100;

    public Procedure Procedure { get; private set; } = default!;
    public IReadOnlyList<WebhookDelivery> Deliveries { get; private set; } = [];
    public int Total { get; private set; }
    [TempData] public string? Notice { get; set; }
    [TempData] public string? Problem { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadProcedureAsync(id, ct)) return NotFound();
        Total = await db.WebhookDeliveries.CountAsync(d => d.ProcedureId == id, ct);
        Deliveries = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Endpoint).Include(d => d.AttemptLog)
            .Where(d => d.ProcedureId == id).OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(PageSize)
            .AsSplitQuery().ToListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRedeliverAsync(Guid id, Guid deliveryId, CancellationToken ct)
    {
        if (!await LoadProcedureAsync(id, ct)) return NotFound();
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.ProcedureId == id, ct);
        if (delivery is null) return NotFound();
        try
        {
            await endpoints.RedeliverAsync(delivery, Procedure.DepartmentId, ct);
            Notice = $"イベント {delivery.EventId}（{delivery.EventType}）の再送を受け付けました。数秒で送ります。結果はこの画面を再読み込みして確かめてください。";
        }
        catch (WebhookRefusedException e)
        {
            Problem = e.Message;
        }
        return Redirect($"/staff/inventory/{id}/webhooks/deliveries");
    }

    private async Task<bool> LoadProcedureAsync(Guid id, CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(User, ct);
        var p = await visible.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return false;
        Procedure = p;
        return true;
    }
}
