using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Forms;

/// <summary>A form operation refused for a reason the operator can fix; the message says how.</summary>
public sealed class FormRefusedException(string message, IReadOnlyList<FormError>? errors = null) : Exception(message)
{
    public IReadOnlyList<FormError> Errors { get; } = errors ?? [];
}

/// <summary>
/// Importing, publishing and reading form definitions; the CLI, the API and the demo share it.
/// Each write is one SaveChanges, so a refused import or publish leaves nothing half-written.
/// </summary>
public sealed partial class FormService(MadoguchiDbContext db, TimeProvider clock, Audit.AuditTrail audit, PublishChecks checks)
{
    /// <summary>The value of Procedure.Tool for procedures whose forms Madoguchi publishes.</summary>
    public const string Tool = "Madoguchi";

    public sealed record ImportResult(Form Form, bool Created, bool Changed)
    {
        /// <summary>Published versions recreated from an export with all versions (not live until form publish).</summary>
        public int VersionsAdded { get; init; }
    }
    public sealed record PublishResult(Form Form, FormVersion Version, bool Created, IReadOnlyList<ProcedureHistory.FieldChange> InventoryChanges)
    {
        /// <summary>An existing version (imported with --all-versions) became the current one.</summary>
        public bool WentLive { get; init; }
    }
    public sealed record ListItem(string Slug, string Procedure, string ProcedureName, string Title, int? Version, bool UnpublishedChanges);
    public sealed record PublishedItem(string Slug, string Procedure, string Title, int Version);
    public sealed record Exported(string Json, int? Version);

    /// <summary>Validates the definition and stores it as the working definition of its form (created on first import).</summary>
    /// <exception cref="FormRefusedException">The definition or the procedure is not acceptable; nothing was written.</exception>
    public async Task<ImportResult> ImportAsync(string json, string procedureCode, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(procedureCode);
        var code = procedureCode.Trim();
        var procedure = await db.Procedures.FirstOrDefaultAsync(p => p.Code == code, ct)
            ?? throw new FormRefusedException($"手続ID '{code}' は棚卸にありません。`./madoguchi inventory export` などで手続IDを確かめてください。");
        if (IsVersionsExport(json)) return await ImportVersionsAsync(json, procedure, actor, ct);
        var parsed = FormParser.Parse(json, procedure.UsesMyNumber);
        var errors = parsed.Errors.ToList();
        var definition = parsed.Definition;
        if (definition is not null && definition.ProcedureCode.Length > 0 && definition.ProcedureCode != code)
        {
            errors.Add(new FormError("$.procedure", $"ファイルの手続ID '{definition.ProcedureCode}' が --procedure の '{code}' と違います。どちらかを直してください。"));
        }
        if (definition is not null)
        {
            var other = await db.Forms.Where(f => f.Slug == definition.Slug && f.ProcedureId != procedure.Id)
                .Select(f => f.Procedure!.Code).FirstOrDefaultAsync(ct);
            if (other is not null) errors.Add(new FormError("$.slug", $"slug '{definition.Slug}' は手続 {other} のフォームで使われています。別の slug にしてください。"));
        }
        if (errors.Count > 0 || definition is null)
        {
            throw new FormRefusedException($"フォーム定義に誤りが {errors.Count} 件あります。何も取り込んでいません。", errors);
        }

        var canonical = FormJson.Write(definition with { ProcedureCode = code });
        var sha = FormJson.Sha256(canonical);
        var now = clock.GetUtcNow();
        var form = await db.Forms.FirstOrDefaultAsync(f => f.Slug == definition.Slug, ct);
        var created = form is null;
        if (form is null)
        {
            form = new Form { Slug = definition.Slug, ProcedureId = procedure.Id, CreatedAt = now };
            db.Forms.Add(form);
        }
        var changed = form.WorkingSha256 != sha;
        if (changed)
        {
            form.Title = definition.Title.Ja;
            form.WorkingJson = canonical;
            form.WorkingSha256 = sha;
            form.UpdatedAt = now;
            form.UpdatedBy = actor;
            // The entry and the change commit together (AppendAsync saves the pending changes).
            await audit.AppendAsync(new Audit.AuditEvent(Audit.AuditActions.FormImported, "form", definition.Slug)
            {
                DepartmentId = procedure.DepartmentId,
                Detail = $"procedure={code} sha256={sha}",
            }, ct);
        }
        return new ImportResult(form, created, changed);
    }

    /// <summary>
    /// Publishes the working definition as a new immutable version (unless it equals the newest one)
    /// and records the procedure as online with Madoguchi from today (Japan time) in the inventory.
    /// </summary>
    public async Task<PublishResult> PublishAsync(string slug, string actor, CancellationToken ct)
    {
        var form = await db.Forms.Include(f => f.Procedure).FirstOrDefaultAsync(f => f.Slug == slug, ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はありません。先に `./madoguchi form import` で取り込んでください（一覧は `./madoguchi form list`）。");
        var procedure = form.Procedure!;
        if (!procedure.OnlineEligible)
        {
            throw new FormRefusedException($"手続 {procedure.Code}（{procedure.Name}）は棚卸でオンライン化不可（{procedure.IneligibleReason}）とされています。" +
                                           "公開するなら、先に棚卸でオンライン化可に直してください。");
        }
        // Checked at every publish: the procedure's 個人番号 flag or the pages may have changed since the import.
        var problems = await checks.CheckAsync(form.WorkingJson, procedure, ct);
        if (problems.Count > 0) throw new FormRefusedException($"フォーム '{slug}' は公開できません。次の {problems.Count} 件を直してから公開してください。何も公開していません。", problems);

        var now = clock.GetUtcNow();
        var latest = await db.FormVersions.Where(v => v.FormId == form.Id).OrderByDescending(v => v.Number).FirstOrDefaultAsync(ct);
        var created = latest is null || latest.Sha256 != form.WorkingSha256;
        var version = latest;
        if (created)
        {
            // Every answer of the previous version must map onto the new one (renamed, removed or kept).
            var mapping = VersionChanges.Check(latest is null ? null : Definition(latest.DefinitionJson), latest?.Number ?? 0, Definition(form.WorkingJson));
            if (mapping.Count > 0)
            {
                throw new FormRefusedException($"フォーム '{slug}' は、版 {latest?.Number} の回答の引き継ぎ方（changes）に誤りが {mapping.Count} 件あるため公開できません。何も公開していません。", mapping);
            }
            version = new FormVersion
            {
                FormId = form.Id,
                Number = (latest?.Number ?? 0) + 1,
                DefinitionJson = form.WorkingJson,
                Sha256 = form.WorkingSha256,
                PublishedAt = now,
                PublishedBy = actor,
            };
            db.FormVersions.Add(version);
        }
        // Versions imported from another installation (form import of an export with --all-versions) go live here.
        var wentLive = form.CurrentVersion != version!.Number;
        var ledgerColumns = 0;
        if (wentLive && form.CurrentVersion is int previous && previous < version.Number)
        {
            // The ledger's stored columns follow the renames from the version that was live to this one,
            // committed with the publish (Cases.LedgerRenames says why then and not only when read).
            var chain = (await db.FormVersions.AsNoTracking().Where(v => v.FormId == form.Id && v.Number >= previous && v.Number <= version.Number)
                .OrderBy(v => v.Number).Select(v => v.DefinitionJson).ToListAsync(ct)).Select(Definition).ToList();
            if (created) chain.Add(Definition(version.DefinitionJson));
            ledgerColumns = await Cases.LedgerRenames.AfterPublishAsync(db, procedure.Id, form.Id, chain, now, ct);
        }
        form.CurrentVersion = version.Number;
        // Publishing (again) reopens a form whose new applications were stopped in the designer.
        form.UnpublishedAt = null;

        var before = ProcedureHistory.Snapshot(procedure);
        if (procedure.Status != OnlineStatus.Done)
        {
            procedure.Status = OnlineStatus.Done;
            procedure.OnlineSince = JapanTime.Today(clock);
        }
        procedure.Tool = Tool;
        var changes = ProcedureHistory.Diff(before, ProcedureHistory.Snapshot(procedure));
        ProcedureHistory.Record(db, procedure, before, actor, $"form publish: {slug} v{version!.Number}", now);
        if (created || wentLive || changes.Count > 0)
        {
            await audit.AppendAsync(new Audit.AuditEvent(Audit.AuditActions.FormPublished, "form", slug)
            {
                DepartmentId = procedure.DepartmentId,
                Detail = $"version={version.Number} procedure={procedure.Code} sha256={version.Sha256}" + (ledgerColumns > 0 ? $" ledger-columns-renamed={ledgerColumns}" : ""),
            }, ct);
        }
        // The ledger's columns come from the procedure's current form versions.
        Cases.LedgerSource.Forget(procedure.Id);
        return new PublishResult(form, version, created, changes) { WentLive = wentLive && !created };
    }

    /// <summary>The working definition, or published version <paramref name="version"/>.</summary>
    public async Task<Exported> ExportAsync(string slug, int? version, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().FirstOrDefaultAsync(f => f.Slug == slug, ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はありません（一覧は `./madoguchi form list`）。");
        if (version is null) return new Exported(form.WorkingJson, null);
        var v = await db.FormVersions.AsNoTracking().FirstOrDefaultAsync(x => x.FormId == form.Id && x.Number == version, ct)
            ?? throw new FormRefusedException(form.CurrentVersion is int n
                ? $"フォーム '{slug}' に版 {version} はありません。公開済みの版は 1〜{n} です。"
                : $"フォーム '{slug}' はまだ公開されていません。`./madoguchi form publish {slug}` で公開してください。");
        return new Exported(v.DefinitionJson, v.Number);
    }

    public async Task<IReadOnlyList<ListItem>> ListAsync(CancellationToken ct)
    {
        var rows = await db.Forms.AsNoTracking().OrderBy(f => f.Slug)
            .Select(f => new
            {
                f.Slug,
                f.Procedure!.Code,
                f.Procedure.Name,
                f.Title,
                f.CurrentVersion,
                f.WorkingSha256,
                Published = f.Versions.Where(v => v.Number == f.CurrentVersion).Select(v => v.Sha256).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => new ListItem(r.Slug, r.Code, r.Name, r.Title, r.CurrentVersion, r.Published != r.WorkingSha256))];
    }

    /// <summary>Published forms, for residents and API clients.</summary>
    public async Task<IReadOnlyList<PublishedItem>> PublishedAsync(CancellationToken ct)
    {
        var rows = await db.Forms.AsNoTracking().Where(f => f.CurrentVersion != null && f.UnpublishedAt == null).OrderBy(f => f.Slug)
            .Select(f => new { f.Slug, f.Procedure!.Code, Version = f.CurrentVersion!.Value, VersionId = f.Versions.Where(v => v.Number == f.CurrentVersion).Select(v => v.Id).First() })
            .ToListAsync(ct);
        // The title comes from the published version, not the working definition, which may have moved
        // on; published versions are parsed once per process (PublishedDefinitions), not per request.
        var items = new List<PublishedItem>(rows.Count);
        foreach (var r in rows)
        {
            items.Add(new PublishedItem(r.Slug, r.Code, (await Submissions.PublishedDefinitions.GetAsync(db, r.VersionId, ct)).Title.Ja, r.Version));
        }
        return items;
    }

    /// <summary>Reads a stored (already validated) definition; 個人番号 was allowed when it was stored.</summary>
    public static FormDefinition Definition(string storedJson)
        => FormParser.Parse(storedJson, procedureUsesMyNumber: true).Definition
           ?? throw new InvalidOperationException("a stored form definition no longer parses");
}
