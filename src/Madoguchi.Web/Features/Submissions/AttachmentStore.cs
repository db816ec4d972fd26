using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Files;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// Keeps residents' uploads: checks the content (type by magic bytes, size per field and per
/// application), scans it with clamd when configured (refusing everything while the scanner is
/// down), then writes it under a generated name outside the web root, made durable before the row
/// that points at it is committed. Files are only ever read back through their draft or submission.
/// </summary>
public sealed class AttachmentStore(MadoguchiDbContext db, Storage storage, VirusScanner scanner, TimeProvider clock, IConfiguration configuration)
{
    /// <summary>Default limit per field when the form sets none, and for all files of one application together.</summary>
    public const long DefaultMaxBytes = 10L * 1024 * 1024;
    public const long DefaultMaxPerApplicationBytes = 50L * 1024 * 1024;

    public sealed record Saved(Attachment? Attachment, string? ErrorCode, FieldMessage? Message)
    {
        public bool Ok => Attachment is not null;
    }

    private long MaxPerApplication => configuration.GetValue("Madoguchi:Uploads:MaxPerApplicationBytes", DefaultMaxPerApplicationBytes);

    /// <param name="fieldKey">The field's key, or <c>group[i].key</c> inside a group.</param>
    public async Task<Saved> SaveAsync(Draft draft, FormField field, string fieldKey, Stream content, string fileName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(content);
        // Buffer to a private temporary file: the checks read it several times and the request body only once.
        var temp = Path.Combine(Directory.CreateDirectory(storage.FilesPath("attachments", "incoming")).FullName, Guid.NewGuid().ToString("N"));
        try
        {
            var maxBytes = field.Settings.MaxBytes ?? DefaultMaxBytes;
            long size;
            string sha;
            string kind;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[64 * 1024];
                int n;
                size = 0;
                while ((n = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += n;
                    // Stop reading as soon as the limit is passed: an oversized upload never fills the disk.
                    if (size > maxBytes) break;
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                file.Position = 0;
                var accepted = field.Settings.Accept is { Count: > 0 } a ? a : [FileKinds.Pdf, FileKinds.Jpeg, FileKinds.Png];
                var inspection = size > maxBytes
                    ? FileInspector.TooLarge(FileInspector.Display(fileName), null, maxBytes)
                    : FileInspector.Inspect(file, fileName, accepted, maxBytes);
                if (!inspection.Accepted) return new Saved(null, inspection.ErrorCode, inspection.Message);
                kind = inspection.Kind!;

                var used = await db.Attachments.Where(x => x.DraftId == draft.Id).SumAsync(x => (long?)x.Size, ct) ?? 0;
                if (used + size > MaxPerApplication)
                {
                    var max = FileInspector.Size(MaxPerApplication);
                    return new Saved(null, "application-too-large", new(
                        $"添付ファイルの合計が上限の{max}を超えます（添付済み {FileInspector.Size(used)}）。不要なファイルを外すか、小さくしてください。",
                        $"Together the attachments would be over the limit of {max} ({FileInspector.Size(used)} attached already). Remove files you do not need, or make this one smaller.",
                        $"ファイルが ぜんぶで おおきすぎます（{max}まで）。いらない ファイルを はずすか、ちいさく して ください。"));
                }
                if (field.Settings.MaxFiles is int maxFiles && await db.Attachments.CountAsync(x => x.DraftId == draft.Id && x.FieldKey == fieldKey, ct) >= maxFiles)
                {
                    return new Saved(null, "too-many-files", new(
                        $"この欄に添付できるファイルは{maxFiles}個までです。差し替える場合は、先に添付済みのファイルを外してください。",
                        $"This field takes at most {maxFiles} {(maxFiles == 1 ? "file" : "files")}. To replace one, remove an attached file first.",
                        $"ここには ファイルを {maxFiles}こまで つけられます。かえる ときは、さきに つけた ファイルを はずして ください。"));
                }

                file.Position = 0;
                var scan = await scanner.ScanAsync(file, ct);
                if (scan.Verdict == ScanVerdict.Infected)
                {
                    var name = FileInspector.Display(fileName);
                    return new Saved(null, "virus", new(
                        $"「{name}」からウイルスが見つかったため受け付けられません。別のファイルを選んでください。",
                        $"A virus was found in “{name}”, so it cannot be accepted. Choose another file.",
                        $"「{WebUtility.HtmlEncode(name)}」に ウイルスが ありました。ほかの ファイルを えらんで ください。"));
                }
                if (!scan.MayKeep)
                {
                    return new Saved(null, "scanner-unavailable", new(
                        "ただいまファイルの安全確認ができないため、添付を受け付けられません。入力内容は保存されています。しばらくしてから添付してください。",
                        "Files cannot be checked for safety just now, so attachments are not accepted. Your answers are saved; attach the file again later.",
                        "いまは ファイルを つけられません。<ruby>書<rt>か</rt></ruby>いた ことは のこって います。あとで もう いちど つけて ください。"));
                }
                file.Flush(flushToDisk: true);
            }

            var now = clock.GetUtcNow();
            var attachment = new Attachment
            {
                DraftId = draft.Id,
                FieldKey = fieldKey,
                Kind = kind,
                Size = size,
                Sha256 = sha,
                OriginalName = FileInspector.Display(fileName),
                UploadedAt = now,
            };
            attachment.StoredPath = Path.Combine("attachments", now.ToString("yyyy", CultureInfo.InvariantCulture), now.ToString("MM", CultureInfo.InvariantCulture), attachment.Id.ToString("N"));
            var target = FilePath(storage, attachment.StoredPath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target);
            db.Attachments.Add(attachment);
            await db.SaveChangesAsync(ct);
            return new Saved(attachment, null, null);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The attachments of a draft, in upload order.</summary>
    public Task<List<Attachment>> OfDraftAsync(Guid draftId, CancellationToken ct)
        => db.Attachments.AsNoTracking().Where(a => a.DraftId == draftId).OrderBy(a => a.UploadedAt).ThenBy(a => a.Id).ToListAsync(ct);

    /// <summary>Removes an attachment of this draft (and only of this draft).</summary>
    public async Task<bool> RemoveAsync(Guid draftId, Guid attachmentId, CancellationToken ct)
    {
        var a = await db.Attachments.FirstOrDefaultAsync(x => x.Id == attachmentId && x.DraftId == draftId && x.SubmissionId == null, ct);
        if (a is null) return false;
        db.Attachments.Remove(a);
        await db.SaveChangesAsync(ct);
        DeleteFile(storage, a.StoredPath);
        return true;
    }

    /// <summary>
    /// A group item was removed: its files go, and the files of the items after it move up one place
    /// (<c>family[2].x</c> → <c>family[1].x</c>) so each file stays with the item it was attached to.
    /// </summary>
    public async Task RemoveGroupItemAsync(Guid draftId, string groupKey, int index, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(groupKey);
        var prefix = groupKey + "[";
        var inGroup = await db.Attachments.Where(a => a.DraftId == draftId && a.SubmissionId == null && a.FieldKey.StartsWith(prefix)).ToListAsync(ct);
        var removed = new List<Attachment>();
        foreach (var a in inGroup)
        {
            var close = a.FieldKey.IndexOf("].", prefix.Length, StringComparison.Ordinal);
            if (close < 0 || !int.TryParse(a.FieldKey.AsSpan(prefix.Length, close - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var i)) continue;
            if (i == index) removed.Add(a);
            else if (i > index) a.FieldKey = $"{prefix}{i - 1}{a.FieldKey[close..]}";
        }
        db.Attachments.RemoveRange(removed);
        await db.SaveChangesAsync(ct);
        foreach (var a in removed) DeleteFile(storage, a.StoredPath);
    }

    /// <summary>Opens the file of an attachment that belongs to the given draft or submission; null otherwise.</summary>
    public async Task<(Attachment Attachment, Stream Content)?> OpenAsync(Guid attachmentId, Guid? draftId, Guid? submissionId, CancellationToken ct)
    {
        var a = await db.Attachments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == attachmentId
            && ((draftId != null && x.DraftId == draftId && x.SubmissionId == null) || (submissionId != null && x.SubmissionId == submissionId)), ct);
        if (a is null) return null;
        return (a, File.OpenRead(FilePath(storage, a.StoredPath)));
    }

    /// <summary>The file of a stored path (Storage.FilesPath would create it as a folder).</summary>
    public static string FilePath(Storage storage, string storedPath)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return Path.Combine(storage.FilesFolder, storedPath);
    }

    public static void DeleteFile(Storage storage, string storedPath)
    {
        var path = FilePath(storage, storedPath);
        if (File.Exists(path)) File.Delete(path);
    }
}
