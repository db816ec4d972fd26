using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Exports;

/// <summary>A character a cp932 export could not hold, with the case it came from (null for the heading row).</summary>
public sealed record UnmappedCharacter(long Row, string? Receipt, string Column, string Character, string CodePoint)
{
    public string Message => (Receipt is null ? "見出し行" : $"{Row.ToString(CultureInfo.InvariantCulture)}行目（受付番号 {Receipt}）")
        + $"の「{Column}」: 「{Character}」({CodePoint}) は Shift_JIS（cp932）にありません";
}

/// <summary>A written ledger export: the file (send it or hold it), its download name, and what cp932 could not hold.</summary>
public sealed record LedgerExportResult(ExportFile File, string DownloadName, IReadOnlyList<UnmappedCharacter> Unmapped, long UnmappedCount);

/// <summary>
/// Exports a ledger for the page and the API: rows from <see cref="LedgerExportSource"/>, written and audited
/// by <see cref="LedgerExports"/> (who, procedure, selection with the filter, rows, replacements). A cp932 file with
/// replaced characters can be held for its exporter (30 minutes) while staff read the report, then downloaded once.
/// </summary>
public sealed class LedgerExportService(MadoguchiDbContext db, LedgerExports exports, Storage storage, TimeProvider clock)
{
    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(30);

    public async Task<bool> HasTemplateAsync(Guid procedureId, CancellationToken ct)
        => await db.ExportTemplates.AnyAsync(t => t.ProcedureId == procedureId, ct);

    public async Task<LedgerExportResult> ExportAsync(LedgerProcedure procedure, IQueryable<Case> selected, LedgerSort sort, ExportFormat format, string selection, CancellationToken ct)
    {
        var source = new LedgerExportSource(db) { TrackCp932 = format == ExportFormat.CsvCp932 };
        var file = await exports.WriteAsync(new LedgerExportRequest(procedure.Id, procedure.Code, format, selection),
            LedgerExportSource.Headings(procedure), source.RowsAsync(procedure, selected, sort, ct), ct);
        var unmapped = file.Outcome.Replacements
            .Select(r => new UnmappedCharacter(r.Row, r.Row == 0 ? null : source.Receipts.GetValueOrDefault(r.Row, "?"), r.Column, r.Character, r.CodePoint)).ToList();
        return new LedgerExportResult(file, LedgerExportSource.FileName(procedure.Name, format, JapanTime.Now(clock)), unmapped, file.Outcome.ReplacementCount);
    }

    /// <summary>
    /// What the export holds in words for the audit entry: the scope and the filter's values, never the
    /// typed text (it may be a name).
    /// </summary>
    public static string Describe(ExportScope scope, LedgerFilter filter, int selectedCount)
    {
        if (scope == ExportScope.All) return "all";
        if (scope == ExportScope.Selected) return "selected:" + selectedCount.ToString(CultureInfo.InvariantCulture);
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(filter.Status)) parts.Add("status=" + filter.Status);
        if (!string.IsNullOrEmpty(filter.Channel)) parts.Add("channel=" + filter.Channel);
        if (!string.IsNullOrEmpty(filter.Assignee)) parts.Add("assignee=" + filter.Assignee);
        if (!string.IsNullOrEmpty(filter.From)) parts.Add("from=" + filter.From);
        if (!string.IsNullOrEmpty(filter.To)) parts.Add("to=" + filter.To);
        if (filter.Overdue) parts.Add("overdue");
        if (filter.Unread) parts.Add("unread");
        if (!string.IsNullOrWhiteSpace(filter.Q)) parts.Add("keyword");
        return "filter:" + (parts.Count == 0 ? "none" : string.Join(",", parts));
    }

    private sealed record Held(string Owner, Guid ProcedureId, string DownloadName, string ContentType, DateTimeOffset At, long Replaced);

    private string HeldFolder => storage.FilesPath("exports", "held");

    /// <summary>Keeps a written export for its owner to download after reading the report; returns the token of the download link.</summary>
    public async Task<string> HoldAsync(LedgerExportResult result, string owner, Guid procedureId, CancellationToken ct)
    {
        Sweep();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var folder = HeldFolder;
        File.Move(result.File.Path, Path.Combine(folder, token));
        var held = new Held(owner, procedureId, result.DownloadName, result.File.ContentType, clock.GetUtcNow(), result.UnmappedCount);
        await File.WriteAllTextAsync(Path.Combine(folder, token + ".json"), JsonSerializer.Serialize(held), ct);
        return token;
    }

    /// <summary>The held export behind a token, for its owner and procedure only, once; null when unknown, expired or someone else's.</summary>
    public async Task<(FileStream Content, string DownloadName, string ContentType, long Replaced)?> TakeHeldAsync(string token, string owner, Guid procedureId, CancellationToken ct)
    {
        if (token.Length != 32 || !token.All(char.IsAsciiHexDigitLower)) return null;
        var meta = Path.Combine(HeldFolder, token + ".json");
        var data = Path.Combine(HeldFolder, token);
        if (!File.Exists(meta) || !File.Exists(data)) return null;
        var held = JsonSerializer.Deserialize<Held>(await File.ReadAllTextAsync(meta, ct));
        if (held is null || held.Owner != owner || held.ProcedureId != procedureId) return null;
        File.Delete(meta);
        if (clock.GetUtcNow() - held.At > HoldFor)
        {
            File.Delete(data);
            return null;
        }
        var stream = new FileStream(data, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return (stream, held.DownloadName, held.ContentType, held.Replaced);
    }

    /// <summary>Held exports nobody came back for are deleted (they hold personal data).</summary>
    private void Sweep()
    {
        foreach (var f in Directory.EnumerateFiles(HeldFolder))
        {
            try
            {
                // The file system's own clock: this is housekeeping of files, not a business date.
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(f) > HoldFor) File.Delete(f);
            }
            catch (IOException)
            {
                // Being downloaded right now: the next sweep takes it.
            }
        }
    }
}
