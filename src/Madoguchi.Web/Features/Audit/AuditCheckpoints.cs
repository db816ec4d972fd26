using System.Globalization;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Mail;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Audit;

/// <summary>Madoguchi:Audit:* settings.</summary>
public sealed class AuditOptions
{
    public const string Section = "Madoguchi:Audit";
    /// <summary>Where checkpoints go; default beside the files folder (never inside the database).</summary>
    public string? CheckpointFile { get; set; }
    /// <summary>A checkpoint after this many appends …</summary>
    public int CheckpointEveryEntries { get; set; } = 100;
    /// <summary>… or after this many seconds with appends, whichever comes first.</summary>
    public int CheckpointEverySeconds { get; set; } = 300;
    /// <summary>Addresses (comma separated) that receive each checkpoint by e-mail; needs Madoguchi:Smtp:Host.</summary>
    public string? CheckpointMailTo { get; set; }
}

/// <summary>One line of the checkpoint file: the chain had <see cref="Count"/> entries ending in <see cref="Hash"/>.</summary>
public sealed record AuditCheckpoint(long Count, string Hash, DateTimeOffset At)
{
    public string ToLine() => $"{Count.ToString(CultureInfo.InvariantCulture)}\t{Hash}\t{At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}";

    public static AuditCheckpoint? Parse(string line)
    {
        var parts = line.Split('\t');
        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || parts[1].Length != 64 || !DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return null;
        }
        return new AuditCheckpoint(count, parts[1], at);
    }
}

/// <summary>
/// Writes checkpoints (count, latest hash, instant) to a file outside the database and optionally
/// e-mails them, so that a database rolled back or truncated as a whole no longer matches them.
/// </summary>
public sealed class AuditCheckpoints(Microsoft.Extensions.Options.IOptions<AuditOptions> options, Storage storage, TimeProvider clock,
    MailSender mail, ILogger<AuditCheckpoints> log)
{
    public const string Header = "# Madoguchi audit checkpoints: count<TAB>SHA-256 of entry <count><TAB>instant (UTC). Verify with ./madoguchi audit verify.";
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly SemaphoreSlim _write = new(1, 1);
    private int _sinceLast;

    public AuditOptions Options => options.Value;

    public string FilePath => options.Value.CheckpointFile is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : DefaultPath(storage);

    /// <summary>Beside the files folder: "data/madoguchi.db.files" → "data/madoguchi.db.audit-checkpoints".</summary>
    public static string DefaultPath(Storage storage)
    {
        var folder = Path.GetFullPath(storage.FilesFolder).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(folder);
        if (name.EndsWith(".files", StringComparison.Ordinal)) name = name[..^".files".Length];
        return Path.Combine(Path.GetDirectoryName(folder)!, name + ".audit-checkpoints");
    }

    /// <summary>Called after each append; wakes the writer once enough entries have come.</summary>
    public void Appended()
    {
        if (Interlocked.Increment(ref _sinceLast) >= Math.Max(1, options.Value.CheckpointEveryEntries) && _due.CurrentCount == 0)
        {
            try { _due.Release(); } catch (SemaphoreFullException) { }
        }
    }

    internal async Task<bool> WaitDueAsync(CancellationToken ct)
        => await _due.WaitAsync(TimeSpan.FromSeconds(Math.Max(1, options.Value.CheckpointEverySeconds)), ct);

    internal bool AnyPending => Volatile.Read(ref _sinceLast) > 0;

    /// <summary>Appends a checkpoint of the committed chain (fsynced) and mails it when configured; null when the chain is empty.</summary>
    public async Task<AuditCheckpoint?> WriteAsync(MadoguchiDbContext db, CancellationToken ct = default)
    {
        Interlocked.Exchange(ref _sinceLast, 0);
        var last = await db.AuditEntries.AsNoTracking().OrderByDescending(x => x.Sequence)
            .Select(x => new { x.Sequence, x.Hash }).FirstOrDefaultAsync(ct);
        if (last is null) return null;
        var checkpoint = new AuditCheckpoint(last.Sequence, last.Hash, AuditEntry.Normalize(clock.GetUtcNow()));
        await _write.WaitAsync(ct);
        try
        {
            var path = FilePath;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var isNew = !File.Exists(path);
            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var text = (isNew ? Header + "\n" : "") + checkpoint.ToLine() + "\n";
            await file.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            // On disk before anyone relies on it.
            file.Flush(flushToDisk: true);
        }
        finally
        {
            _write.Release();
        }
        if (options.Value.CheckpointMailTo is { Length: > 0 } to && mail.Configured)
        {
            try
            {
                await mail.SendAsync(to, $"Madoguchi 監査ログのチェックポイント（{checkpoint.Count}件）",
                    "監査ログのチェックポイントです。改ざんの検証に使うため、このメールを保管してください。\n" +
                    "./madoguchi audit verify --checkpoints <このメールの次の行を保存したファイル>\n\n" + checkpoint.ToLine() + "\n", ct);
            }
            catch (Exception e) when (e is IOException or MailKit.ServiceNotConnectedException or MailKit.CommandException or MailKit.ProtocolException or System.Net.Sockets.SocketException)
            {
                // The file is the checkpoint; a mail server that is down must not stop audited work.
                log.LogWarning(e, "監査チェックポイントをメールで送れませんでした（{To}）", to);
            }
        }
        return checkpoint;
    }

    /// <summary>Reads every checkpoint line of a file; lines that are not checkpoints (the header) are skipped.</summary>
    public static async Task<List<AuditCheckpoint>> ReadAsync(string path, CancellationToken ct = default)
    {
        var list = new List<AuditCheckpoint>();
        foreach (var line in await File.ReadAllLinesAsync(path, ct))
        {
            if (line.StartsWith('#') || line.Trim().Length == 0) continue;
            list.Add(AuditCheckpoint.Parse(line.Trim()) ?? throw new FormatException($"チェックポイントの行 '{line}' を読めません（件数<TAB>ハッシュ<TAB>日時 の形式）。"));
        }
        return list;
    }
}

/// <summary>Writes a checkpoint every N appends or T seconds while the web app runs.</summary>
public sealed class AuditCheckpointWriter(AuditCheckpoints checkpoints, IServiceScopeFactory scopes, ILogger<AuditCheckpointWriter> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await checkpoints.WaitDueAsync(stoppingToken);
                if (!checkpoints.AnyPending) continue;
                await using var scope = scopes.CreateAsyncScope();
                await checkpoints.WriteAsync(scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException or InvalidOperationException)
            {
                log.LogError(e, "監査チェックポイントを書けませんでした（{Path}）", checkpoints.FilePath);
            }
        }
    }
}
