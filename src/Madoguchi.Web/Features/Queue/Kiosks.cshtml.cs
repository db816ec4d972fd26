using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>Admins register ticket machines (the token is shown once, on this response only) and revoke them.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class KiosksModel(KioskDevices kiosks, MadoguchiDbContext db) : PageModel
{
    public List<Platform.Office> Offices { get; private set; } = [];
    public List<KioskDevice> Devices { get; private set; } = [];
    public KioskDevices.Registered? Registered { get; private set; }
    public string? Problem { get; private set; }
    [TempData]
    public string? Notice { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostRegisterAsync(Guid office, string? name, CancellationToken ct)
    {
        try
        {
            Registered = await kiosks.RegisterAsync(office, name ?? "", ct);
        }
        catch (QueueException e)
        {
            Problem = e.Message;
            Response.StatusCode = e.Status == 404 ? 422 : e.Status;
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        Notice = await kiosks.RevokeAsync(id, ct) ? "発券機を失効させました。" : "その発券機は既に失効しています。";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ToListAsync(ct);
        Devices = await db.KioskDevices.AsNoTracking().OrderBy(d => d.CreatedAt).ToListAsync(ct);
    }
}
