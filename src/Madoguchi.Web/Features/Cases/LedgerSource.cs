using System.Collections.Concurrent;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>A procedure whose ledger this member of staff may see, with its forms (current versions) and columns.</summary>
public sealed record LedgerProcedure(
    Guid Id,
    string Code,
    string Name,
    Guid? DepartmentId,
    IReadOnlyList<(string FormTitle, FormDefinition Definition)> Forms,
    IReadOnlyList<ColumnChoice> Choices,
    IReadOnlyList<LedgerColumn> Columns,
    CaseWorkflow Workflow,
    bool ColumnsCustomised)
{
    /// <summary>Each form's published versions, oldest first, up to its current one: how older cases' answers reach the columns.</summary>
    public IReadOnlyList<LedgerFormHistory> History { get; init; } = [];
}

/// <summary>A form of a ledger's procedure with its published versions (number 1 first) up to the current one.</summary>
public sealed record LedgerFormHistory(Guid FormId, IReadOnlyList<(Guid Id, FormDefinition Definition)> Versions);

/// <summary>Loads a ledger's procedure for the ledger and column pages: null when it is not one this member of staff may see (404).</summary>
public static class LedgerSource
{
    /// <summary>How long the ledger page reuses a procedure's layout; a change on another instance shows after at most this.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<Guid, (LedgerProcedure Procedure, IReadOnlyDictionary<string, string> Assignable, long Until)> Cache = new();

    /// <summary>
    /// For the ledger page: the procedure's layout (forms, columns, workflow) and the staff its cases can be
    /// given to, kept per process for <see cref="CacheFor"/>, so that a page of rows does not re-read them
    /// (five queries and the column choices) on every request. Only for a caller that checked visibility
    /// (uncached, every request); changes made here (columns, workflow, form publish) call <see cref="Forget"/>.
    /// The bulk actions and the settings pages read uncached, and assignment checks its assignee itself.
    /// </summary>
    public static async Task<(LedgerProcedure Procedure, IReadOnlyDictionary<string, string> Assignable)> CachedAsync(MadoguchiDbContext db, CaseService cases, Guid procedureId, CancellationToken ct)
    {
        var now = Environment.TickCount64;
        if (Cache.TryGetValue(procedureId, out var hit) && hit.Until > now) return (hit.Procedure, hit.Assignable);
        var procedure = await LoadAsync(db, procedureId, ct);
        var assignable = await cases.AssignableAsync(procedureId, ct) ?? new Dictionary<string, string>();
        Cache[procedureId] = (procedure, assignable, now + (long)CacheFor.TotalMilliseconds);
        return (procedure, assignable);
    }

    /// <summary>The procedure's columns, workflow, forms or name changed in this process: the next ledger page reads them afresh.</summary>
    public static void Forget(Guid procedureId) => Cache.TryRemove(procedureId, out _);

    public static async Task<LedgerProcedure?> LoadAsync(MadoguchiDbContext db, StaffScope scope, System.Security.Claims.ClaimsPrincipal user, Guid procedureId, CancellationToken ct)
        => await scope.MaySeeAsync(user, procedureId, ct) ? await LoadAsync(db, procedureId, ct) : null;

    /// <summary>The ledger's procedure, for a caller that has already checked it is visible (<see cref="CaseService.VisibleAsync(System.Security.Claims.ClaimsPrincipal, Guid, CancellationToken)"/>).</summary>
    public static async Task<LedgerProcedure> LoadAsync(MadoguchiDbContext db, Guid procedureId, CancellationToken ct)
    {
        var procedure = await db.Procedures.AsNoTracking().Where(p => p.Id == procedureId)
            .Select(p => new { p.Id, p.Code, p.Name, p.DepartmentId }).FirstAsync(ct);
        // Every version up to the current one, not only the current: cases stay on the version they were
        // filled in on, and a column follows its field through the renames since (LedgerRenames).
        var versions = await (from f in db.Forms.AsNoTracking()
                              join v in db.FormVersions.AsNoTracking() on f.Id equals v.FormId
                              where f.ProcedureId == procedureId && f.CurrentVersion != null && v.Number <= f.CurrentVersion
                              orderby f.CreatedAt, f.Id, v.Number
                              select new { FormId = f.Id, f.Title, VersionId = v.Id }).ToListAsync(ct);
        var forms = new List<(string, FormDefinition)>();
        var history = new List<LedgerFormHistory>();
        foreach (var form in versions.GroupBy(v => v.FormId))
        {
            var definitions = new List<(Guid, FormDefinition)>();
            foreach (var v in form) definitions.Add((v.VersionId, await PublishedDefinitions.GetAsync(db, v.VersionId, ct)));
            forms.Add((form.First().Title, definitions[^1].Item2));
            history.Add(new LedgerFormHistory(form.Key, definitions));
        }
        var settings = await db.LedgerSettings.AsNoTracking().Where(s => s.ProcedureId == procedureId)
            .Select(s => new { s.ColumnsJson, s.WorkflowJson }).FirstOrDefaultAsync(ct);
        var choices = LedgerLayout.Choices(forms);
        var columns = LedgerLayout.FromSettings(settings?.ColumnsJson, choices, [.. history.Select(h => (IReadOnlyList<FormDefinition>)[.. h.Versions.Select(v => v.Definition)])]);
        return new LedgerProcedure(procedure.Id, procedure.Code, procedure.Name, procedure.DepartmentId, forms, choices,
            columns, CaseWorkflow.FromSettings(settings?.WorkflowJson), !string.IsNullOrWhiteSpace(settings?.ColumnsJson))
        {
            History = history,
        };
    }
}
