using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Waits;

/// <summary>
/// 待ち時間の目安の精度: for an office and period, the mean absolute error of the estimates shown at
/// issue and the share of real waits inside the shown range, per service and overall (the same
/// numbers as `madoguchi queue accuracy`). No personal data: counts and minutes only.
/// </summary>
[Authorize(Policy = Policies.QueueWrite)]
public sealed class AccuracyModel(WaitAccuracy accuracy, MadoguchiDbContext db, TimeProvider clock) : PageModel
{
    public sealed class Query
    {
        public Guid? Office { get; set; }
        public string? From { get; set; }
        public string? To { get; set; }
    }

    [BindProperty(SupportsGet = true, Name = "")]
    public Query Input { get; set; } = new();

    public List<SelectListItem> Offices { get; private set; } = [];
    public AccuracyReport? Report { get; private set; }
    public Dictionary<string, string> Errors { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var offices = await db.Offices.AsNoTracking().OrderBy(o => o.SortOrder).ThenBy(o => o.Name).Select(o => new { o.Id, o.Name }).ToListAsync(ct);
        Offices = offices.Select(o => new SelectListItem(o.Name, o.Id.ToString(), o.Id == Input.Office)).ToList();
        var today = JapanTime.Today(clock);
        Input.From ??= today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Input.To ??= Input.From;
        var from = Wareki.ParseDate(Input.From);
        var to = Wareki.ParseDate(Input.To);
        if (from is null) Errors["From"] = $"＊期間の初日「{Input.From}」を読めません。2025-04-01、R7.4.1、令和7年4月1日 のように入力してください。";
        if (to is null) Errors["To"] = $"＊期間の末日「{Input.To}」を読めません。2025-04-01、R7.4.1、令和7年4月1日 のように入力してください。";
        if (from is { } f && to is { } t && t < f) Errors["To"] = "＊期間の末日が初日より前です。日付を入れ替えてください。";
        if (Input.Office is not { } office || Errors.Count > 0 || from is null || to is null)
        {
            if (Errors.Count > 0) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return;
        }
        Report = await accuracy.ReportAsync(office, from.Value, to.Value, ct);
        if (Report is null) Errors["Office"] = "＊その庁舎はありません。一覧から選んでください。";
    }
}
