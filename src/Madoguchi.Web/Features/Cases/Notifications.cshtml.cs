using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The texts of the mails a procedure's applicants get on a status change and with a 補正依頼, per
/// language. A text left as the default is stored as nothing, so an improved default reaches it.
/// </summary>
[Authorize(Policy = Policies.Cases)]
public sealed class NotificationsModel(MadoguchiDbContext db, StaffScope scope, AuditTrail audit, TimeProvider clock) : PageModel
{
    public sealed record TemplateInput(string Kind, string Language, string? Subject, string? Body);

    public static readonly IReadOnlyDictionary<string, string> KindLabels = new Dictionary<string, string>
    {
        [CaseTemplates.StatusKind] = "状態が変わったとき",
        [CaseTemplates.CorrectionKind] = "補正を依頼したとき",
    };

    public static readonly IReadOnlyDictionary<string, string> LanguageLabels = new Dictionary<string, string>
    {
        ["ja"] = "日本語",
        ["en"] = "英語",
        ["easy"] = "やさしい日本語",
    };

    public Guid ProcedureId { get; private set; }
    public string ProcedureName { get; private set; } = "";
    public List<TemplateInput> Templates { get; private set; } = [];
    public List<string> Errors { get; private set; } = [];
    public bool Saved { get; private set; }

    private async Task<(Guid Id, string Name, Guid? DepartmentId)?> ProcedureAsync(Guid procedureId, CancellationToken ct)
    {
        var p = await (await scope.ProceduresAsync(User, ct)).Where(x => x.Id == procedureId).Select(x => new { x.Id, x.Name, x.DepartmentId }).FirstOrDefaultAsync(ct);
        return p is null ? null : (p.Id, p.Name, p.DepartmentId);
    }

    public async Task<IActionResult> OnGetAsync(Guid procedureId, bool saved, CancellationToken ct)
    {
        if (await ProcedureAsync(procedureId, ct) is not { } p) return NotFound();
        (ProcedureId, ProcedureName) = (p.Id, p.Name);
        var stored = await db.LedgerSettings.AsNoTracking().Where(x => x.ProcedureId == p.Id).Select(x => x.TemplatesJson).FirstOrDefaultAsync(ct);
        Templates = [.. from kind in CaseTemplates.Kinds
                        from language in CaseTemplates.Languages
                        let t = CaseTemplates.For(stored, kind, language)
                        select new TemplateInput(kind, language, t.Subject, t.Body)];
        Saved = saved;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid procedureId, List<TemplateInput> templates, CancellationToken ct)
    {
        if (await ProcedureAsync(procedureId, ct) is not { } p) return NotFound();
        (ProcedureId, ProcedureName) = (p.Id, p.Name);
        var result = new Dictionary<string, Dictionary<string, MailTemplate>>();
        foreach (var kind in CaseTemplates.Kinds)
        {
            foreach (var language in CaseTemplates.Languages)
            {
                var posted = templates.FirstOrDefault(t => t.Kind == kind && t.Language == language);
                var subject = Normalise(posted?.Subject);
                var body = Normalise(posted?.Body);
                var fallback = CaseTemplates.Default(kind, language);
                var label = $"「{KindLabels[kind]}」の{LanguageLabels[language]}";
                Templates.Add(new TemplateInput(kind, language, subject, body));
                if (subject.Length == 0 || body.Length == 0)
                {
                    Errors.Add($"{label}の件名と本文を入力してください（既定の文に戻すには既定の文を貼り付けてください）。");
                    continue;
                }
                var template = new MailTemplate(subject, body);
                Errors.AddRange(CaseTemplates.Check(kind, label, template));
                if (template.Subject == fallback.Subject && template.Body == Normalise(fallback.Body)) continue;
                result.TryAdd(kind, []);
                result[kind][language] = template;
            }
        }
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var settings = await db.LedgerSettings.FirstOrDefaultAsync(x => x.ProcedureId == p.Id, ct);
        if (settings is null)
        {
            settings = new LedgerSettings { ProcedureId = p.Id };
            db.LedgerSettings.Add(settings);
        }
        settings.TemplatesJson = result.Count == 0 ? "" : CaseTemplates.ToJson(result);
        settings.UpdatedAt = clock.GetUtcNow();
        await audit.AppendAsync(new AuditEvent(AuditActions.CaseTemplatesEdited, "procedure", p.Id.ToString()) { DepartmentId = p.DepartmentId, Detail = $"通知文面 {p.Name}" }, ct);
        return Redirect($"/staff/ledger/{p.Id}/notifications?saved=true");
    }

    /// <summary>Line ends as one kind (a browser posts CRLF), trailing spaces gone.</summary>
    private static string Normalise(string? text) => (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
