using System.Collections.Concurrent;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>A published version of a form, parsed: what a draft or a submission is pinned to.</summary>
public sealed record PublishedVersion(Guid FormId, Guid VersionId, int Number, FormDefinition Definition);

/// <summary>
/// The one lookup of "form slug → its current published version" for drafts, submissions, a form's
/// start page, the applicant sign-in and the definition API, kept
/// in memory so that a submission costs no query before its answers are checked. A cached current
/// version can go stale only when a publish happens (here or on another instance), so every use
/// checks it against the database where that is cheap: the <see cref="SubmissionWriter"/> compares it
/// with Forms.CurrentVersion inside the transaction that stores the submission (one query per batch)
/// and the caller retries on a newer version; everything a new application starts from reads the
/// current version and the stop by slug (<see cref="OpeningAsync"/>).
/// Versions themselves never change once published, so (form, number) → version is cached for good.
/// </summary>
public sealed class PublishedForms
{
    private readonly ConcurrentDictionary<string, PublishedVersion> _current = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Guid FormId, int Number), PublishedVersion> _versions = new();

    private sealed record Opened(Guid Id, int? CurrentVersion, bool Stopped);

    // Compiled: a form's start page, every new draft and every fetch of a definition through the API
    // ask this, and translating the LINQ each time was most of such a request's CPU.
    private sealed class Queries
    {
        public readonly Func<MadoguchiDbContext, string, CancellationToken, Task<Opened?>> Opening = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, string slug, CancellationToken _) => db.Forms.AsNoTracking().Where(f => f.Slug == slug)
                .Select(f => new Opened(f.Id, f.CurrentVersion, f.UnpublishedAt != null)).FirstOrDefault());
    }

    /// <summary>The current version of the published form, or null when there is no such published form.</summary>
    /// <param name="validate">Confirm the cached version is still current (one query by key); without it, the caller must check later.</param>
    public async Task<PublishedVersion?> CurrentAsync(MadoguchiDbContext db, string slug, bool validate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_current.TryGetValue(slug, out var cached))
        {
            if (!validate) return cached;
            var current = await db.Forms.AsNoTracking().Where(f => f.Id == cached.FormId).Select(f => f.CurrentVersion).FirstOrDefaultAsync(ct);
            if (current == cached.Number) return cached;
            Forget(slug);
        }
        var form = await db.Forms.AsNoTracking().Where(f => f.Slug == slug && f.CurrentVersion != null)
            .Select(f => new { f.Id, Current = f.CurrentVersion!.Value }).FirstOrDefaultAsync(ct);
        if (form is null) return null;
        return await RememberAsync(db, slug, form.Id, form.Current, ct);
    }

    /// <summary>
    /// The version a new draft is pinned to: the form's current version read by slug together with
    /// whether new applications were stopped, in one query; null when the form is not published or
    /// stopped. The cached current version is refreshed from what was read.
    /// </summary>
    public async Task<PublishedVersion?> ForNewDraftAsync(MadoguchiDbContext db, string slug, CancellationToken ct)
        => (await OpeningAsync(db, slug, ct)).Version;

    /// <summary>
    /// The form as a new application meets it, in one query: its current version, or none with
    /// <c>Stopped</c> true when it was published and staff have stopped new applications (the start
    /// page says so instead of "not found").
    /// </summary>
    public async Task<(PublishedVersion? Version, bool Stopped)> OpeningAsync(MadoguchiDbContext db, string slug, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var form = await PerModel<Queries>.Of(db).Opening(db, slug, ct);
        if (form is not { CurrentVersion: { } number }) return (null, false);
        if (form.Stopped) return (null, true);
        if (_current.TryGetValue(slug, out var cached) && cached.FormId == form.Id && cached.Number == number) return (cached, false);
        return (await RememberAsync(db, slug, form.Id, number, ct), false);
    }

    /// <summary>Version <paramref name="number"/>, which the form names as current, remembered as its current version.</summary>
    private async Task<PublishedVersion> RememberAsync(MadoguchiDbContext db, string slug, Guid formId, int number, CancellationToken ct)
    {
        var version = await VersionAsync(db, formId, number, ct)
            ?? throw new InvalidOperationException($"form '{slug}' names version {number}, which does not exist");
        _current[slug] = version;
        return version;
    }

    /// <summary>Version <paramref name="number"/> of a form, or null when it was never published.</summary>
    public async Task<PublishedVersion?> VersionAsync(MadoguchiDbContext db, Guid formId, int number, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_versions.TryGetValue((formId, number), out var known)) return known;
        var id = await db.FormVersions.AsNoTracking().Where(v => v.FormId == formId && v.Number == number).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        if (id is null) return null;
        var version = new PublishedVersion(formId, id.Value, number, await PublishedDefinitions.GetAsync(db, id.Value, ct));
        return _versions.GetOrAdd((formId, number), version);
    }

    /// <summary>Drops the cached current version of a form (a newer one was published); the next use reads it again.</summary>
    public void Forget(string slug) => _current.TryRemove(slug, out _);

    /// <summary>
    /// Whether new applications to the form were stopped in the designer. Asked of the database each
    /// time: stopping does not change the current version, so the cached lookup cannot see it. A refused
    /// submission asks here, a new draft in <see cref="ForNewDraftAsync"/>; a submission to be stored learns it from the
    /// <see cref="SubmissionWriter"/>, in the storing transaction.
    /// </summary>
    public static Task<bool> StoppedAsync(Data.MadoguchiDbContext db, string slug, CancellationToken ct)
        => db.Forms.AsNoTracking().AnyAsync(f => f.Slug == slug && f.UnpublishedAt != null, ct);
}
