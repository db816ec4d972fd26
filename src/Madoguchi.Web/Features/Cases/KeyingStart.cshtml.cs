using System.Globalization;
using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// Starts keying a paper application (窓口・郵送) into a procedure's ledger: which published form, which
/// channel, the date of receipt. The form is then filled in on the residents' own pages
/// (<see cref="StaffKeying"/>), so paper goes through the same checks as online.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class KeyingStartModel(MadoguchiDbContext db, DraftService drafts, TimeProvider clock) : PageModel
{
    public sealed record InputModel
    {
        public string? Form { get; init; }
        /// <summary>counter or mail.</summary>
        public string? Channel { get; init; }
        /// <summary>The date of receipt as typed (2026-05-01, 2026/5/1, R8.5.1, 令和8年5月1日); empty means today.</summary>
        public string? ReceivedOn { get; init; }
    }

    public sealed record Unfinished(Guid Id, string FormTitle, string Channel, DateOnly? ReceivedOn, DateTimeOffset UpdatedAt);

    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true, Name = "channel")] public string? ChannelQuery { get; set; }

    public Guid ProcedureId { get; private set; }
    public string ProcedureName { get; private set; } = "";
    public List<SelectListItem> Forms { get; private set; } = [];
    public List<Unfinished> Drafts { get; private set; } = [];
    public DateOnly Today => JapanTime.Today(clock);

    public async Task<IActionResult> OnGetAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        Input = new InputModel
        {
            Form = Forms.FirstOrDefault()?.Value,
            Channel = CaseChannels.Parse(ChannelQuery) is CaseChannel.Mail ? "mail" : "counter",
            ReceivedOn = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, ct)) return NotFound();
        var form = Forms.FirstOrDefault(f => f.Value == Input.Form);
        if (form is null) ModelState.AddModelError("Input.Form", Forms.Count == 0 ? "この手続には公開中の申請フォームがありません。先にフォームを公開してください。" : "申請フォームを一覧から選んでください。");
        var channel = CaseChannels.Parse(Input.Channel);
        if (channel is not (CaseChannel.Counter or CaseChannel.Mail)) ModelState.AddModelError("Input.Channel", StaffKeying.ChannelRefused);
        // The postmark or arrival date of a mailed application; a counter application is received today.
        var (receivedOn, receivedError) = StaffKeying.ReceivedOn(channel ?? CaseChannel.Counter, Input.ReceivedOn, Today);
        if (receivedError is not null) ModelState.AddModelError("Input.ReceivedOn", receivedError);
        if (!ModelState.IsValid) return Page();
        var draft = await drafts.StartKeyedAsync(form!.Value, User.FindFirstValue(ClaimTypes.NameIdentifier)!, CaseChannels.Code(channel!.Value), receivedOn!.Value, ct);
        if (draft is null)
        {
            ModelState.AddModelError("Input.Form", "この申請フォームは公開されていません。一覧から選び直してください。");
            return Page();
        }
        var definition = await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct);
        var first = FormFilling.VisiblePages(definition, []).FirstOrDefault();
        var start = StaffKeying.Base(procedureId, draft.Id);
        return Redirect(first is null ? $"{start}/check" : $"{start}/{first.Key}");
    }

    private async Task<bool> LoadAsync(Guid procedureId, CancellationToken ct)
    {
        if (!await StaffKeying.MayKeyAsync(HttpContext, procedureId, ct)) return false;
        var procedure = await db.Procedures.AsNoTracking().Where(p => p.Id == procedureId).Select(p => new { p.Id, p.Name }).FirstAsync(ct);
        ProcedureId = procedure.Id;
        ProcedureName = procedure.Name;
        // Published forms, current or stopped: a paper application received before a stop is still keyed.
        Forms = await db.Forms.AsNoTracking().Where(f => f.ProcedureId == procedureId && f.CurrentVersion != null)
            .OrderBy(f => f.Title).Select(f => new SelectListItem(f.Title, f.Slug)).ToListAsync(ct);
        var me = User.FindFirstValue(ClaimTypes.NameIdentifier);
        var now = clock.GetUtcNow();
        var mine = await db.Drafts.AsNoTracking().Where(d => d.KeyedById == me && d.ExpiresAt > now && d.Form!.ProcedureId == procedureId)
            .OrderByDescending(d => d.UpdatedAt).Take(20)
            .Select(d => new { d.Id, d.Form!.Title, d.KeyedChannel, d.KeyedReceivedOn, d.UpdatedAt }).ToListAsync(ct);
        Drafts = [.. mine.Select(d => new Unfinished(d.Id, d.Title, CaseChannels.Label(CaseChannels.Parse(d.KeyedChannel) ?? CaseChannel.Counter), d.KeyedReceivedOn, d.UpdatedAt))];
        return true;
    }
}
