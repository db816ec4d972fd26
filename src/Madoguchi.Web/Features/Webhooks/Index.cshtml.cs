using System.ComponentModel.DataAnnotations;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Webhooks;

/// <summary>A procedure's webhook endpoints: list, add (the secret is shown once, in this response only), deactivate.</summary>
[Authorize(Policy = WebhooksModule.ManagePolicy)]
public sealed class IndexModel(MadoguchiDbContext db, StaffScope scope, WebhookEndpoints endpoints) : PageModel
{
    public sealed record InputModel
    {
        [Required(ErrorMessage = "送信先の URL を入力してください")]
        public string? Url { get; init; }
        /// <summary>Empty by default, so that unticking every box is seen as "none" (the GET ticks all).</summary>
        public List<string> Events { get; init; } = [];
        [StringLength(200, ErrorMessage = "説明は200文字以内で入力してください")]
        public string? Description { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();
    public Procedure Procedure { get; private set; } = default!;
    public IReadOnlyList<WebhookEndpoint> Endpoints { get; private set; } = [];
    /// <summary>Set only in the response to the POST that created the endpoint; never stored in plain text.</summary>
    public WebhookEndpoints.Created? JustCreated { get; private set; }
    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Input = new InputModel { Events = [.. WebhookEvents.All] };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Input.Url is { } url && endpoints.CheckUrl(url) is { } problem) ModelState.AddModelError("Input.Url", problem);
        if (Input.Events.Count == 0 || Input.Events.Any(e => !WebhookEvents.All.Contains(e)))
            ModelState.AddModelError("Input.Events", "送るイベントを一覧から1つ以上選んでください");
        if (!ModelState.IsValid) return Page();
        JustCreated = await endpoints.CreateAsync(Procedure.Id, Procedure.DepartmentId, Input.Url!, Input.Events, Input.Description, User.Identity?.Name ?? "", ct);
        await LoadAsync(id, ct);
        // A fresh form under the secret: the posted values are not shown again.
        ModelState.Clear();
        Input = new InputModel { Events = [.. WebhookEvents.All] };
        return Page();
    }

    public async Task<IActionResult> OnPostDeactivateAsync(Guid id, Guid endpointId, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == endpointId && e.ProcedureId == id, ct);
        if (endpoint is null) return NotFound();
        var done = await endpoints.DeactivateAsync(endpoint, Procedure.DepartmentId, User.Identity?.Name ?? "", ct);
        Notice = done ? $"送信先 {endpoint.Url} を無効にしました。送信待ちの配信は送りません。" : "この送信先はすでに無効です。";
        return Redirect($"/staff/inventory/{id}/webhooks");
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        // Another department's procedure answers 404, as if it did not exist.
        var visible = await scope.ProceduresAsync(User, ct);
        var p = await visible.AsNoTracking().Include(x => x.Department).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return false;
        Procedure = p;
        Endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.ProcedureId == id)
            .OrderByDescending(e => e.Active).ThenByDescending(e => e.CreatedAt).ToListAsync(ct);
        return true;
    }
}
