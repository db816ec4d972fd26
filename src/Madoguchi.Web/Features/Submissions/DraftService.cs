using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Drafts: started on the current published version, saved page by page, reopened with the secret
/// (cookie or resume link) or with a short resume code typed on another device, and purged with
/// their files once expired. Expiry moves forward with each save (the resident is told the date).
/// </summary>
public sealed partial class DraftService(MadoguchiDbContext db, PublishedForms forms, Storage storage, TimeProvider clock, Protection.PersonalDataVault vault)
{
    /// <summary>Owner type of a draft's sealed answers in the vault (field = answer path).</summary>
    public const string DraftOwner = "draft";

    /// <summary>Resume codes: 10 characters of Crockford base32 (50 bits), typed with a rate limit on guesses.</summary>
    private const int CodeLength = 10;

    public sealed record Opened(Draft Draft, FormDefinition Definition, string Slug);

    public async Task<(Draft Draft, string Secret)?> StartAsync(string slug, string language, CancellationToken ct)
    {
        // A draft is pinned to the version current now; a form whose new applications were stopped
        // starts no draft (drafts already started carry on).
        if (await forms.ForNewDraftAsync(db, slug, ct) is not { } version) return null;
        var definition = version.Definition;
        var secret = ReceiptNumbers.NewSecret();
        var now = clock.GetUtcNow();
        var draft = new Draft
        {
            FormId = version.FormId,
            FormVersionId = version.VersionId,
            FormVersionNumber = version.Number,
            Language = language,
            SecretHash = ReceiptNumbers.Hash(secret),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(definition.DraftExpiryDays),
        };
        db.Drafts.Add(draft);
        Funnel.FunnelRecorder.Started(db, draft, definition);
        await db.SaveChangesAsync(ct);
        return (draft, secret);
    }

    /// <summary>The draft when the secret matches and it has not expired; null otherwise (the same for every reason).</summary>
    public async Task<Opened?> OpenAsync(Guid draftId, string? secret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(secret)) return null;
        var draft = await db.Drafts.Include(d => d.Form).FirstOrDefaultAsync(d => d.Id == draftId, ct);
        if (draft is null || draft.ExpiresAt <= clock.GetUtcNow() || !ReceiptNumbers.Matches(secret, draft.SecretHash)) return null;
        return new Opened(draft, await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct), draft.Form!.Slug);
    }

    /// <summary>Stores the answers so far and the page reached; pushes the expiry forward.</summary>
    /// <param name="step">What the resident did, for the form's funnel (recorded in the same transaction).</param>
    public async Task SaveAsync(Draft draft, JsonObject answers, string? currentPage, CancellationToken ct, Funnel.FunnelStep? step = null)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(answers);
        var definition = await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct);
        var now = clock.GetUtcNow();
        // Sensitive answers go to the vault even in a draft; the answers JSON keeps only their masks.
        var (plain, sensitive) = SensitiveAnswers.Split(definition, answers);
        var owner = draft.Id.ToString();
        var stale = await db.ProtectedValues.Where(v => v.OwnerType == DraftOwner && v.OwnerId == owner).ToListAsync(ct);
        db.ProtectedValues.RemoveRange(stale.Where(v => !sensitive.Any(x => x.Path == v.Field)));
        foreach (var (path, json) in sensitive)
        {
            if (stale.FirstOrDefault(v => v.Field == path) is { } row)
            {
                var fresh = await vault.SealAsync(DraftOwner, owner, path, json, ct);
                row.Ciphertext = fresh.Ciphertext;
                row.KeyId = fresh.KeyId;
            }
            else
            {
                db.ProtectedValues.Add(await vault.SealAsync(DraftOwner, owner, path, json, ct));
            }
        }
        draft.AnswersJson = plain.ToJsonString();
        draft.CurrentPage = currentPage;
        draft.UpdatedAt = now;
        draft.ExpiresAt = now.AddDays(definition.DraftExpiryDays);
        Funnel.FunnelRecorder.Saved(db, draft, definition, currentPage, step, now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The draft's answers with its sealed answers put back (each read recorded by the vault).</summary>
    public async Task<JsonObject> AnswersAsync(Draft draft, CancellationToken ct, string purpose = "申請者による下書きの表示")
    {
        ArgumentNullException.ThrowIfNull(draft);
        var plain = StoredAnswers(draft);
        if (!await HasSealedAnswersAsync(draft, ct)) return plain;
        var sealedValues = await vault.GetAllAsync(DraftOwner, draft.Id.ToString(), purpose, ct);
        return SensitiveAnswers.Merge(plain, sealedValues);
    }

    /// <summary>The answers as stored: a sealed answer only as its mask or placeholder. Reads nothing from the vault.</summary>
    public static JsonObject StoredAnswers(Draft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return JsonNode.Parse(draft.AnswersJson) as JsonObject ?? [];
    }

    /// <summary>Whether any answer of the draft is sealed in the vault (asked of the rows, nothing decrypted or audited).</summary>
    public Task<bool> HasSealedAnswersAsync(Draft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var owner = draft.Id.ToString();
        return db.ProtectedValues.AnyAsync(v => v.OwnerType == DraftOwner && v.OwnerId == owner, ct);
    }

    /// <summary>A new resume code for the draft (replacing any earlier one), shown or e-mailed once.</summary>
    public async Task<string> NewResumeCodeAsync(Draft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var code = ReceiptNumbers.NewCode(CodeLength);
        draft.ResumeCodeHash = ReceiptNumbers.Hash(code);
        await db.SaveChangesAsync(ct);
        return FormatCode(code);
    }

    /// <summary>
    /// Opens a draft from its resume code and gives it a new secret for this device: the code works
    /// once, so a code seen over someone's shoulder is useless after the resident used it.
    /// </summary>
    public async Task<(Opened Opened, string Secret)?> ResumeAsync(string? code, CancellationToken ct)
    {
        var normalised = ReceiptNumbers.Canonical(code, CodeLength);
        if (normalised is null) return null;
        var hash = ReceiptNumbers.Hash(normalised);
        var draft = await db.Drafts.Include(d => d.Form).FirstOrDefaultAsync(d => d.ResumeCodeHash == hash, ct);
        if (draft is null || draft.ExpiresAt <= clock.GetUtcNow()) return null;
        var secret = ReceiptNumbers.NewSecret();
        draft.SecretHash = ReceiptNumbers.Hash(secret);
        draft.ResumeCodeHash = null;
        await db.SaveChangesAsync(ct);
        return (new Opened(draft, await PublishedDefinitions.GetAsync(db, draft.FormVersionId, ct), draft.Form!.Slug), secret);
    }

    /// <summary>Deletes a draft the resident chose to start again from, with its files and sealed answers.</summary>
    public async Task DiscardAsync(Draft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var files = await db.Attachments.Where(a => a.DraftId == draft.Id && a.SubmissionId == null).ToListAsync(ct);
        db.Attachments.RemoveRange(files);
        var owner = draft.Id.ToString();
        db.ProtectedValues.RemoveRange(await db.ProtectedValues.Where(v => v.OwnerType == DraftOwner && v.OwnerId == owner).ToListAsync(ct));
        db.Drafts.Remove(draft);
        await db.SaveChangesAsync(ct);
        // As when purging: rows first, so a crash leaves an orphan file, never a row without its file.
        foreach (var f in files) AttachmentStore.DeleteFile(storage, f.StoredPath);
    }

    /// <summary>Deletes expired drafts and their files; returns how many drafts went.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Longest expired first, in batches along the ExpiresAt index (an unordered Take also made EF warn at every start).
        var expired = await db.Drafts.Where(d => d.ExpiresAt <= now).OrderBy(d => d.ExpiresAt).Select(d => d.Id).Take(500).ToListAsync(ct);
        if (expired.Count == 0) return 0;
        var files = await db.Attachments.Where(a => a.DraftId != null && expired.Contains(a.DraftId.Value)).ToListAsync(ct);
        db.Attachments.RemoveRange(files);
        var owners = expired.Select(i => i.ToString()).ToList();
        db.ProtectedValues.RemoveRange(await db.ProtectedValues.Where(v => v.OwnerType == DraftOwner && owners.Contains(v.OwnerId)).ToListAsync(ct));
        db.Drafts.RemoveRange(await db.Drafts.Where(d => expired.Contains(d.Id)).ToListAsync(ct));
        await db.SaveChangesAsync(ct);
        // Files go after the rows: a crash in between leaves an orphan file, never a row without its file.
        foreach (var f in files) AttachmentStore.DeleteFile(storage, f.StoredPath);
        return expired.Count;
    }

    public static string FormatCode(string code) => $"{code[..5]}-{code[5..]}";
}

/// <summary>Purges expired drafts every hour (and once shortly after start).</summary>
public sealed class DraftPurger(IServiceScopeFactory scopes, ILogger<DraftPurger> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var drafts = scope.ServiceProvider.GetRequiredService<DraftService>();
                int n;
                do
                {
                    n = await drafts.PurgeExpiredAsync(stoppingToken);
                    if (n > 0) log.LogInformation("Purged {Count} expired drafts", n);
                } while (n > 0);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Purging expired drafts failed; retrying in an hour");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
