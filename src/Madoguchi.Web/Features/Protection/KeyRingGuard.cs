using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Protection;

/// <summary>
/// Checks, once per process, that the key ring belongs to this database: a new empty database gets a
/// new ring; a database whose recorded keys are missing or different is refused — new keys are never
/// made silently, since they would leave every encrypted value unreadable.
/// </summary>
public sealed class KeyRingGuard(KeyRingStore store, Storage storage, IServiceScopeFactory scopes, TimeProvider clock, ILogger<KeyRingGuard> log)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _checked;

    /// <exception cref="KeyRingException">Keys missing or not this database's (Japanese message).</exception>
    public async Task EnsureAsync(CancellationToken ct = default)
    {
        if (_checked) return;
        await _gate.WaitAsync(ct);
        try
        {
            if (_checked) return;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await CheckAsync(db, ct);
            _checked = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CheckAsync(MadoguchiDbContext db, CancellationToken ct)
    {
        var recorded = await db.ProtectionKeys.AsNoTracking().ToListAsync(ct);
        if (!store.Exists)
        {
            if (recorded.Count > 0 || await db.ProtectedValues.AnyAsync(ct))
            {
                throw new KeyRingException(MissingMessage(store.Folder, storage.Display, recorded.Select(r => r.Id)));
            }
            if (store.Save(KeyRing.New(clock.GetUtcNow()), createNew: true))
            {
                log.LogInformation("New key ring created in {Folder} for {Database}", store.Folder, storage.Display);
            }
        }
        KeyRing ring;
        try
        {
            ring = store.Reload();
        }
        catch (FormatException e)
        {
            throw new KeyRingException($"暗号鍵のファイル {store.FilePath} を読めません（{e.Message}）。鍵のバックアップから `./madoguchi keys import` で戻してください。");
        }
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(store.FilePath) & others) != 0)
        {
            // Copied or restored by hand with loose permissions: said loudly, not refused (the data must stay readable).
            log.LogWarning("The key ring {File} is readable by others than its owner; run: chmod 600 {File}", store.FilePath, store.FilePath);
        }
        foreach (var r in recorded)
        {
            var key = ring.Find(r.Id);
            if (key is null || key.CheckValue != r.CheckValue)
            {
                throw new KeyRingException(
                    $"{store.Folder} の暗号鍵はこのデータベース（{storage.Display}）のものではありません（鍵 {r.Id} が" +
                    (key is null ? "ありません" : "別の鍵です（確認値が一致しません）") + "）。" +
                    "正しい鍵フォルダを --keys、環境変数 MADOGUCHI_KEYS または設定 Madoguchi:Keys で指定するか、" +
                    "鍵のバックアップから `./madoguchi keys import --key-file 鍵ファイル --passphrase-file パスフレーズのファイル` で戻してください。新しい鍵は作りません。");
            }
        }
        // Keys added by `keys rotate` on another instance (or a ring just created) are recorded now.
        var missing = ring.Keys.Where(k => recorded.All(r => r.Id != k.Id)).ToList();
        if (missing.Count > 0)
        {
            db.ProtectionKeys.AddRange(missing.Select(k => new ProtectionKey { Id = k.Id, CheckValue = k.CheckValue, CreatedAt = k.Created }));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance recorded them first; checking again compares its rows.
                db.ChangeTracker.Clear();
                await CheckAsync(db, ct);
            }
        }
    }

    /// <summary>Forgets the check (after a restore or an import replaced the ring).</summary>
    public void Reset() => _checked = false;

    public static string MissingMessage(string folder, string database, IEnumerable<string> keyIds)
        => $"暗号鍵が見つかりません。データベース {database} の鍵（{string.Join(", ", keyIds)}）は {folder} にあるはずです。" +
           "場所が違う場合は --keys、環境変数 MADOGUCHI_KEYS または設定 Madoguchi:Keys で指定してください。" +
           "失った場合は、鍵のバックアップから `./madoguchi keys import --key-file 鍵ファイル --passphrase-file パスフレーズのファイル` で戻してください。" +
           "新しい鍵は作りません（作ると暗号化された個人データが読めなくなります）。";
}

/// <summary>The app refuses to start (and to serve) without this database's keys.</summary>
internal sealed class KeyRingStartupCheck(KeyRingGuard guard, ILogger<KeyRingStartupCheck> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await guard.EnsureAsync(cancellationToken);
        }
        catch (KeyRingException e)
        {
            log.LogCritical("{Message}", e.Message);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
