using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// Changes how and when a paper application being keyed was received (受付の方法, 受付日) without touching
/// its answers: a mistyped 受付日 that the check page refuses (more than a year back, outside the intake
/// period) is put right here instead of keying the whole application again. Same rules as the start page.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class KeyingReceivedModel(MadoguchiDbContext db, Submissions.DraftService drafts, AuditTrail audit, TimeProvider clock) : PageModel
{
    public sealed record InputModel
    {
        /// <summary>counter or mail.</summary>
        public string? Channel { get; init; }
        /// <summary>The date of receipt as typed; empty means today.</summary>
        public string? ReceivedOn { get; init; }
    }

    [BindProperty] public InputModel Input { get; set; } = new();

    public Guid ProcedureId { get; private set; }
    public string ProcedureName { get; private set; } = "";
    public string FormTitle { get; private set; } = "";
    public Submissions.Draft Draft { get; private set; } = default!;
    public DateOnly Today => JapanTime.Today(clock);
    public string CheckUrl => $"{StaffKeying.Base(ProcedureId, Draft.Id)}/check";

    public async Task<IActionResult> OnGetAsync(Guid procedureId, Guid draftId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, draftId, ct)) return NotFound();
        Input = new InputModel
        {
            Channel = CaseChannels.Parse(Draft.KeyedChannel) is CaseChannel.Mail ? "mail" : "counter",
            ReceivedOn = Draft.KeyedReceivedOn is { } on ? StaffKeying.Iso(on) : null,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid procedureId, Guid draftId, CancellationToken ct)
    {
        if (!await LoadAsync(procedureId, draftId, ct)) return NotFound();
        var channel = CaseChannels.Parse(Input.Channel);
        if (channel is not (CaseChannel.Counter or CaseChannel.Mail)) ModelState.AddModelError("Input.Channel", StaffKeying.ChannelRefused);
        var (receivedOn, receivedError) = StaffKeying.ReceivedOn(channel ?? CaseChannel.Counter, Input.ReceivedOn, Today);
        if (receivedError is not null) ModelState.AddModelError("Input.ReceivedOn", receivedError);
        if (!ModelState.IsValid) return Page();

        var code = CaseChannels.Code(channel!.Value);
        if (code == Draft.KeyedChannel && receivedOn == Draft.KeyedReceivedOn) return Redirect(CheckUrl);
        // Audited like keying itself (case.keyed): the 受付日 moves the due date and the fiscal year the case counts in.
        var detail = $"職員入力の受付を変更 経路 {Draft.KeyedChannel}→{code} 受付日 {(Draft.KeyedReceivedOn is { } before ? StaffKeying.Iso(before) : "-")}→{StaffKeying.Iso(receivedOn!.Value)}";
        Draft.KeyedChannel = code;
        Draft.KeyedReceivedOn = receivedOn;
        Draft.UpdatedAt = clock.GetUtcNow();
        var department = await db.Procedures.Where(p => p.Id == procedureId).Select(p => p.DepartmentId).FirstOrDefaultAsync(ct);
        // Saves the draft with the entry, in one transaction.
        await audit.AppendAsync(new AuditEvent(AuditActions.CaseKeyingChanged, "draft", Draft.Id.ToString()) { DepartmentId = department, Detail = detail }, ct);
        return Redirect(CheckUrl);
    }

    private async Task<bool> LoadAsync(Guid procedureId, Guid draftId, CancellationToken ct)
    {
        // Only the member of staff who keys the draft, while the procedure is theirs (as on the fill and check pages).
        var opened = await StaffKeying.OpenAsync(HttpContext, drafts, procedureId, draftId, ct);
        if (opened is null) return false;
        ProcedureId = procedureId;
        ProcedureName = await db.Procedures.AsNoTracking().Where(p => p.Id == procedureId).Select(p => p.Name).FirstAsync(ct);
        FormTitle = opened.Definition.Title.Ja;
        Draft = opened.Draft;
        return true;
    }
}
