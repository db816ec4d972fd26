using System.Security.Claims;
using System.Text.RegularExpressions;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Designer;

/// <summary>
/// Reads and writes a form's working definition for the designer pages. Every write goes through
/// <see cref="FormParser"/> first: the working JSON is replaced only by a definition that parses, and
/// the one it replaces goes to the undo history in the same SaveChanges.
/// </summary>
public sealed partial class DesignerStore(MadoguchiDbContext db, StaffScope scope, TimeProvider clock, AuditTrail audit)
{
    /// <summary>Undo steps kept per form.</summary>
    public const int HistoryLimit = 20;

    public sealed record Loaded(Form Form, Procedure Procedure, FormDefinition Definition);

    public sealed record Outcome(bool Saved, IReadOnlyList<FormError> Errors, FormDefinition Attempted)
    {
        /// <summary>True when the page was drawn from an older working definition (another tab, another member of staff).</summary>
        public bool Stale { get; init; }
    }

    /// <summary>
    /// The form when it belongs to a procedure the member of staff may see; null otherwise (a form of
    /// another department answers exactly like a form that does not exist).
    /// </summary>
    public async Task<Loaded?> LoadAsync(ClaimsPrincipal user, string slug, CancellationToken ct)
    {
        var visible = await scope.ProceduresAsync(user, ct);
        var row = await (from f in db.Forms
                         join p in visible on f.ProcedureId equals p.Id
                         where f.Slug == slug
                         select new { Form = f, Procedure = p }).FirstOrDefaultAsync(ct);
        return row is null ? null : new Loaded(row.Form, row.Procedure, FormService.Definition(row.Form.WorkingJson));
    }

    /// <summary>
    /// Replaces the working definition with <paramref name="next"/> if it parses (with the procedure's
    /// 個人番号 setting) and <paramref name="expectedSha"/> still names the current one; nothing is written otherwise.
    /// </summary>
    public async Task<Outcome> SaveAsync(Loaded loaded, string? expectedSha, FormDefinition next, string summary, string actor,
        Func<KeyChanges, KeyChanges>? keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(next);
        var form = loaded.Form;
        if (expectedSha is not null && expectedSha != form.WorkingSha256)
        {
            return new Outcome(false, [new FormError("$", "このフォームは、画面を開いた後にほかの画面で変更されました。最新の内容を表示しています。変更をもう一度行ってください。")], next) { Stale = true };
        }
        var canonical = FormJson.Write(next with { ProcedureCode = loaded.Procedure.Code });
        var parsed = FormParser.Parse(canonical, loaded.Procedure.UsesMyNumber);
        if (!parsed.IsValid) return new Outcome(false, parsed.Errors, next);
        var sha = FormJson.Sha256(canonical);
        if (sha == form.WorkingSha256) return new Outcome(false, [], next);

        var sequence = await db.FormEdits.Where(e => e.FormId == form.Id).MaxAsync(e => (int?)e.Sequence, ct) ?? 0;
        var now = clock.GetUtcNow();
        db.FormEdits.Add(new FormEdit
        {
            FormId = form.Id,
            Sequence = sequence + 1,
            Summary = summary.Length > 500 ? summary[..500] : summary,
            PreviousJson = form.WorkingJson,
            PreviousSha256 = form.WorkingSha256,
            PreviousKeyChanges = form.DesignerKeyChanges,
            At = now,
            By = actor,
        });
        // Older steps beyond the limit go in the same SaveChanges, so the history never grows past it.
        db.FormEdits.RemoveRange(await db.FormEdits.Where(e => e.FormId == form.Id && e.Sequence <= sequence + 1 - HistoryLimit).ToListAsync(ct));
        if (keys is not null) form.DesignerKeyChanges = keys(KeyChanges.Parse(form.DesignerKeyChanges)).ToJson();
        Apply(form, parsed.Definition!, canonical, sha, actor, now);
        await audit.AppendAsync(new AuditEvent(AuditActions.FormEdited, "form", form.Slug)
        {
            DepartmentId = loaded.Procedure.DepartmentId,
            Detail = $"{summary} sha256={sha}",
        }, ct);
        return new Outcome(true, [], next);
    }

    private static void Apply(Form form, FormDefinition definition, string canonical, string sha, string actor, DateTimeOffset now)
    {
        form.Title = definition.Title.Ja;
        form.WorkingJson = canonical;
        form.WorkingSha256 = sha;
        form.UpdatedAt = now;
        form.UpdatedBy = actor;
    }

    public sealed record History(int Count, string? LastSummary);

    public async Task<History> HistoryAsync(Guid formId, CancellationToken ct)
    {
        var last = await db.FormEdits.AsNoTracking().Where(e => e.FormId == formId).OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Summary, Count = db.FormEdits.Count(x => x.FormId == formId) }).FirstOrDefaultAsync(ct);
        return new History(last?.Count ?? 0, last?.Summary);
    }

    /// <summary>Puts back the working definition from before the newest edit; null when there is nothing to undo.</summary>
    public async Task<string?> UndoAsync(Loaded loaded, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var form = loaded.Form;
        var edit = await db.FormEdits.Where(e => e.FormId == form.Id).OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(ct);
        if (edit is null) return null;
        // The stored definition parsed when it was saved; a 個人番号 setting changed since is caught at publish.
        var definition = FormService.Definition(edit.PreviousJson);
        db.FormEdits.Remove(edit);
        form.DesignerKeyChanges = edit.PreviousKeyChanges;
        Apply(form, definition, edit.PreviousJson, edit.PreviousSha256, actor, clock.GetUtcNow());
        await audit.AppendAsync(new AuditEvent(AuditActions.FormEdited, "form", form.Slug)
        {
            DepartmentId = loaded.Procedure.DepartmentId,
            Detail = $"元に戻す: {edit.Summary} sha256={edit.PreviousSha256}",
        }, ct);
        return edit.Summary;
    }

    /// <summary>The newest published definition, or null before the first publish.</summary>
    public async Task<(FormDefinition Definition, string Sha256)?> PublishedAsync(Form form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (form.CurrentVersion is not int n) return null;
        var v = await db.FormVersions.AsNoTracking().Where(x => x.FormId == form.Id && x.Number == n)
            .Select(x => new { x.DefinitionJson, x.Sha256 }).FirstAsync(ct);
        return (FormService.Definition(v.DefinitionJson), v.Sha256);
    }

    /// <summary>
    /// After a publish: saves the designer's own columns and records the key changes the new version
    /// brings, so whoever maps older answers can find them in the audit trail.
    /// </summary>
    public async Task CommitAsync(Loaded loaded, KeyChanges declared, int version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(declared);
        if (declared.IsEmpty)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        await audit.AppendAsync(new AuditEvent(AuditActions.FormEdited, "form", loaded.Form.Slug)
        {
            DepartmentId = loaded.Procedure.DepartmentId,
            Detail = $"version={version} keys {declared.ToJson()}",
        }, ct);
    }

    /// <summary>Stops new applications; drafts already started and submissions are left as they are.</summary>
    public async Task UnpublishAsync(Loaded loaded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        loaded.Form.UnpublishedAt = clock.GetUtcNow();
        await audit.AppendAsync(new AuditEvent(AuditActions.FormUnpublished, "form", loaded.Form.Slug)
        {
            DepartmentId = loaded.Procedure.DepartmentId,
            Detail = $"version={loaded.Form.CurrentVersion} procedure={loaded.Procedure.Code}",
        }, ct);
    }

    /// <summary>
    /// Where a parser error is, in words a member of staff recognises ("2ページ目「家族」の項目「お名前」"),
    /// from its JSON path in the definition that was tried.
    /// </summary>
    public static string Place(FormDefinition attempted, string path)
    {
        ArgumentNullException.ThrowIfNull(attempted);
        ArgumentNullException.ThrowIfNull(path);
        var m = PathPattern().Match(path);
        if (!m.Success || !m.Groups["p"].Success) return "フォーム全体";
        var p = int.Parse(m.Groups["p"].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (p >= attempted.Pages.Count) return $"{p + 1}ページ目";
        var page = attempted.Pages[p];
        var where = $"{p + 1}ページ目「{page.Title.Ja}」";
        if (!m.Groups["i"].Success) return where;
        var i = int.Parse(m.Groups["i"].Value, System.Globalization.CultureInfo.InvariantCulture);
        int? sub = m.Groups["f"].Success ? int.Parse(m.Groups["f"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        var item = DefinitionEdits.Get(attempted, new ItemRef(p, i, sub));
        return item is null ? $"{where}の{i + 1}番目の項目" : $"{where}の項目「{DefinitionEdits.Name(item)}」";
    }

    [GeneratedRegex(@"^\$\.pages\[(?<p>\d+)\](?:\.items\[(?<i>\d+)\](?:\.fields\[(?<f>\d+)\])?)?")]
    private static partial Regex PathPattern();
}
