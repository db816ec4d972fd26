using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// A ledger's stored columns follow the fields they show when a new form version renames them
/// (changes.renamed), keeping the heading and place staff gave them (docs/adr/0016).
/// <para>
/// Rewritten when the version is published, in the publish's commit, because only then is it known
/// which version a stored key belongs to: resolving at read time alone would guess wrong when a version
/// swaps two keys or gives a renamed key to a new question, and the column would silently show another
/// question's answers. Layouts the publish did not see (saved before this existed, or from a columns
/// page opened before a publish) fall back to <see cref="Follow"/> when read, for keys no current
/// version offers; a key still offered is never reinterpreted.
/// </para>
/// </summary>
public static class LedgerRenames
{
    /// <summary>
    /// The stored layout after a form moved to a new version through <paramref name="chain"/> (the
    /// previously current version first): columns of renamed fields under their new keys, and how many
    /// moved; null when none did. Removed fields keep their entry (the ledger leaves it out while the
    /// form has no such field, as before). A key another form of the procedure still has stays: the
    /// column keeps showing that form's answers.
    /// </summary>
    public static (string Json, int Renamed)? AfterPublish(string json, IReadOnlyList<FormDefinition> chain, IEnumerable<FormDefinition> otherForms)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count < 2 || LedgerLayout.Parse(json) is not { } stored) return null;
        var paths = VersionChanges.FieldPaths(chain);
        var kept = otherForms.SelectMany(d => VersionChanges.FieldPaths([d]).Keys).ToHashSet(StringComparer.Ordinal);
        var renamed = 0;
        var columns = stored.Select(c =>
        {
            if (LedgerLayout.AnswerPath(c.Source) is not { } answer || !paths.TryGetValue(answer.Path, out var to)
                || to is null || to == answer.Path || kept.Contains(answer.Path)) return c;
            renamed++;
            return c with { Source = LedgerLayout.AnswerSource(to, answer.Part) };
        }).ToList();
        return renamed == 0 ? null : (LedgerLayout.ToJson(columns), renamed);
    }

    /// <summary>
    /// For <see cref="FormService.PublishAsync"/>: rewrites the procedure's stored columns after its form
    /// <paramref name="formId"/> moved through <paramref name="chain"/>. The change is left for the caller
    /// to save with the publish. Returns how many columns moved.
    /// </summary>
    public static async Task<int> AfterPublishAsync(MadoguchiDbContext db, Guid procedureId, Guid formId, IReadOnlyList<FormDefinition> chain, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count < 2) return 0;
        var settings = await db.LedgerSettings.FirstOrDefaultAsync(s => s.ProcedureId == procedureId, ct);
        if (settings is null || string.IsNullOrWhiteSpace(settings.ColumnsJson)) return 0;
        var others = new List<FormDefinition>();
        var current = await db.Forms.AsNoTracking().Where(f => f.ProcedureId == procedureId && f.Id != formId && f.CurrentVersion != null)
            .SelectMany(f => f.Versions.Where(v => v.Number == f.CurrentVersion).Select(v => v.Id)).ToListAsync(ct);
        foreach (var id in current) others.Add(await PublishedDefinitions.GetAsync(db, id, ct));
        if (AfterPublish(settings.ColumnsJson, chain, others) is not { } done) return 0;
        settings.ColumnsJson = done.Json;
        settings.UpdatedAt = now;
        return done.Renamed;
    }

    /// <summary>
    /// The column a stored source that no current version offers has become: followed in each form
    /// (<paramref name="histories"/>: published versions oldest first, up to the current one) from the
    /// newest version that had the field; null when no form renamed it into a field it still has.
    /// </summary>
    public static string? Follow(string source, IReadOnlyList<IReadOnlyList<FormDefinition>> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        if (LedgerLayout.AnswerPath(source) is not { } answer) return null;
        foreach (var versions in histories)
        {
            for (var i = versions.Count - 1; i >= 0; i--)
            {
                if (!VersionChanges.FieldPaths([versions[i]]).ContainsKey(answer.Path)) continue;
                if (VersionChanges.FieldPaths([.. versions.Skip(i)])[answer.Path] is { } to) return LedgerLayout.AnswerSource(to, answer.Part);
                break;
            }
        }
        return null;
    }
}
