using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Drafts of paper applications keyed by staff (窓口・郵送; Features/Cases/StaffKeying, docs/adr/0011):
/// the same drafts, pages and checks as a resident's, owned by the member of staff instead of a cookie.
/// </summary>
public sealed partial class DraftService
{
    /// <summary>Starts a staff-keyed draft on the form's current version; null when the form has none published.</summary>
    /// <remarks>A stopped form still takes paper applications received before the stop, so it is not refused here.</remarks>
    public async Task<Draft?> StartKeyedAsync(string slug, string staffId, string channel, DateOnly receivedOn, CancellationToken ct)
    {
        var version = await forms.CurrentAsync(db, slug, validate: true, ct);
        if (version is null) return null;
        var now = clock.GetUtcNow();
        var draft = new Draft
        {
            FormId = version.FormId,
            FormVersionId = version.VersionId,
            FormVersionNumber = version.Number,
            Language = "ja",
            // Never handed out: a keyed draft opens by its owner's sign-in, not by a secret.
            SecretHash = ReceiptNumbers.Hash(ReceiptNumbers.NewSecret()),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(version.Definition.DraftExpiryDays),
            // Staff keying is not a resident's journey: no funnel rows.
            FunnelId = Guid.Empty,
            KeyedById = staffId,
            KeyedChannel = channel,
            KeyedReceivedOn = receivedOn,
        };
        db.Drafts.Add(draft);
        await db.SaveChangesAsync(ct);
        return draft;
    }

    /// <summary>The staff-keyed draft when <paramref name="staffId"/> started it and it has not expired; null otherwise.</summary>
    public async Task<Opened?> OpenKeyedAsync(Guid draftId, string? staffId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(staffId)) return null;
        var draft = await db.Drafts.Include(d => d.Form).FirstOrDefaultAsync(d => d.Id == draftId && d.KeyedById == staffId, ct);
        if (draft is null || draft.ExpiresAt <= clock.GetUtcNow()) return null;
        return new Opened(draft, await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct), draft.Form!.Slug);
    }
}
