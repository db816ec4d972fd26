using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// Staff keying paper applications (窓口・郵送) into the ledger through the residents' own form pages
/// (docs/adr/0011): FormFill and FormCheck also answer under /staff/ledger/{procedureId}/new/{draftId},
/// where the draft is opened by its owner's sign-in instead of the draft cookie, and the submission
/// carries the channel, the member of staff and the date of receipt to its case.
/// </summary>
public static class StaffKeying
{
    public const string FillRoute = "staff/ledger/{procedureId:guid}/new/{draftId:guid}/{step}";
    public const string CheckRoute = "staff/ledger/{procedureId:guid}/new/{draftId:guid}/check";

    /// <summary>The first part of a keyed draft's page addresses.</summary>
    public static string Base(Guid procedureId, Guid draftId) => $"/staff/ledger/{procedureId}/new/{draftId}";

    /// <summary>The idempotency key of a keyed draft's submission: a resent page finds the receipt.</summary>
    public static string IdempotencyKey(Guid draftId) => $"staff-{draftId:N}";

    /// <summary>
    /// Gives the residents' fill and check pages their staff route. Each route states its own policy:
    /// the residents' addresses stay anonymous, the staff ones need <see cref="Policies.Cases"/>.
    /// </summary>
    public sealed class Routes : IPageRouteModelConvention
    {
        public void Apply(PageRouteModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            var template = model.RelativePath switch
            {
                var p when p.EndsWith("/Submissions/FormFill.cshtml", StringComparison.Ordinal) => FillRoute,
                var p when p.EndsWith("/Submissions/FormCheck.cshtml", StringComparison.Ordinal) => CheckRoute,
                _ => null,
            };
            if (template is null) return;
            foreach (var selector in model.Selectors) selector.EndpointMetadata.Add(new AllowAnonymousAttribute());
            var staff = new SelectorModel { AttributeRouteModel = new AttributeRouteModel { Template = template } };
            staff.EndpointMetadata.Add(new AuthorizeAttribute(Policies.Cases));
            model.Selectors.Add(staff);
        }
    }

    /// <summary>
    /// The keyed draft when the signed-in member of staff started it, it belongs to a form of
    /// <paramref name="procedureId"/>, and that procedure is still theirs to work on; null otherwise (404).
    /// </summary>
    public static async Task<DraftService.Opened?> OpenAsync(HttpContext ctx, DraftService drafts, Guid procedureId, Guid draftId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(drafts);
        var opened = await drafts.OpenKeyedAsync(draftId, ctx.User.FindFirstValue(ClaimTypes.NameIdentifier), ct);
        if (opened is null || opened.Draft.Form?.ProcedureId != procedureId) return null;
        return await MayKeyAsync(ctx, procedureId, ct) ? opened : null;
    }

    /// <summary>Whether the procedure is one the signed-in member of staff works on (their department's; admins all).</summary>
    public static async Task<bool> MayKeyAsync(HttpContext ctx, Guid procedureId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var scope = ctx.RequestServices.GetRequiredService<StaffScope>();
        return await scope.MaySeeAsync(ctx.User, procedureId, ct);
    }

    /// <summary>What a keyed draft brings to its case: channel, who keyed it (name as it is now) and the date of receipt.</summary>
    public static async Task<CaseStart> StartAsync(HttpContext ctx, Draft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(draft);
        var db = ctx.RequestServices.GetRequiredService<MadoguchiDbContext>();
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == draft.KeyedById, ct);
        var actor = CaseActor.Staff(user);
        return new CaseStart(CaseChannels.Parse(draft.KeyedChannel) ?? CaseChannel.Counter, actor.Id, actor.Name, "", draft.KeyedReceivedOn);
    }

    /// <summary>
    /// The earliest 受付日 (消印・到着の日) staff may key: one year before <paramref name="today"/>. Paper
    /// reaches the ledger within days, and a year covers a late-found batch of mail across the turn of the
    /// fiscal year; an earlier date is nearly always a mistyped year (1900, 0001), which would back-date the
    /// due date and count the case in a fiscal year whose figures are already published.
    /// </summary>
    public static DateOnly EarliestReceivedOn(DateOnly today) => today.AddYears(-1);

    public const string ChannelRefused = "受付の方法は「窓口」か「郵送」を選んでください。";

    /// <summary>
    /// The 受付日 typed on the keying start page or its change page, or why it is refused (the message for the
    /// field): a counter application is received today, and so is a mailed one left blank; a postmark or arrival
    /// date may be neither in the future nor earlier than <see cref="EarliestReceivedOn"/>.
    /// </summary>
    public static (DateOnly? On, string? Error) ReceivedOn(CaseChannel channel, string? typed, DateOnly today)
    {
        if (channel != CaseChannel.Mail || string.IsNullOrWhiteSpace(typed)) return (today, null);
        if (Shared.Japanese.Wareki.ParseDate(typed) is not { } day)
            return (null, $"受付日「{typed}」を日付として読めません。2026-05-01、2026/5/1、令和8年5月1日 のように入力してください。");
        if (day > today)
            return (null, $"受付日 {Iso(day)} は未来の日付です。消印または到着の日（今日 {Iso(today)} 以前）を入力してください。");
        if (day < EarliestReceivedOn(today))
            return (null, $"受付日 {Iso(day)} は1年以上前の日付です。{Iso(EarliestReceivedOn(today))} 以降の消印または到着の日を入力してください（年の打ち間違いがないか確かめてください）。");
        return (day, null);
    }

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether a keyed draft's 受付日 is still acceptable when it is submitted: measured from the day the draft
    /// was started, so a draft the start page accepted is never refused at the last step; only one saved
    /// before this limit existed can be (and gets a message instead of a server error).
    /// </summary>
    public static bool ReceivedOnAllowed(Draft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return draft.KeyedReceivedOn is not { } day || day >= EarliestReceivedOn(Shared.Japanese.JapanTime.DateOf(draft.CreatedAt));
    }

    /// <summary>Whether a submission found by a keyed draft's key is of a form of the procedure (a resent page after the draft is gone).</summary>
    public static async Task<bool> IsOfProcedureAsync(HttpContext ctx, Guid formId, Guid procedureId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var db = ctx.RequestServices.GetRequiredService<MadoguchiDbContext>();
        return await db.Forms.AnyAsync(f => f.Id == formId && f.ProcedureId == procedureId, ct) && await MayKeyAsync(ctx, procedureId, ct);
    }
}
