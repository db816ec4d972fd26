using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Madoguchi.Web.Features.Protection;

/// <summary>A backup that cannot be made, verified or restored; the message says why and what to do.</summary>
public sealed class BackupException(string message) : Exception(message);

/// <summary>The key check values a backup's database needs; never key material.</summary>
public sealed record BackupEncryption(string Fingerprint, IReadOnlyList<KeyExport.ExportedKey> Keys, int ProtectedValues);

public sealed record BackupFile(string Path, long Size, string Sha256);

/// <summary>manifest.json of a backup folder (docs/operations.md, "Backups").</summary>
public sealed record BackupManifest(string Format, int FormatVersion, string Engine, DateTimeOffset Created, string Database,
    string? Schema, BackupEncryption Encryption, IReadOnlyList<BackupFile> Files)
{
    public const string FileName = "manifest.json";
    public const string FormatName = "madoguchi-backup";
    public const string SqliteFile = "database.sqlite";
    public const string PostgresFile = "database.dump";
    public const string FilesFolder = "files";
}

/// <summary>
/// Backups of one instance: the database (SQLite online backup API, or pg_dump in custom format)
/// while the app may be writing, the files folder, and a manifest with a SHA-256 per file. The key
/// ring is never part of it (`keys export` seals it separately with a passphrase).
/// </summary>
public sealed class Backups(Storage storage, KeyRingStore keys, MadoguchiDbContext db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<BackupManifest> CreateAsync(string outDir, CancellationToken ct = default)
    {
        outDir = Path.GetFullPath(outDir);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            throw new BackupException($"出力先 {outDir} は空ではありません。新しいフォルダを指定してください（バックアップを上書きしません）。");
        }
        Directory.CreateDirectory(outDir);
        var schema = (await db.Database.GetAppliedMigrationsAsync(ct)).LastOrDefault();
        string database;
        if (storage.Engine == StorageEngine.Sqlite)
        {
            database = BackupManifest.SqliteFile;
            await BackupSqliteAsync(Path.Combine(outDir, database), ct);
        }
        else
        {
            database = BackupManifest.PostgresFile;
            await PgDumpAsync(Path.Combine(outDir, database), ct);
        }
        // Read after the copy: keys are only ever added meanwhile, so the list covers the copy.
        var recorded = await db.ProtectionKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(ct);
        var values = await db.ProtectedValues.CountAsync(ct);
        CopyFiles(storage.FilesFolder, Path.Combine(outDir, BackupManifest.FilesFolder));
        var files = new List<BackupFile>();
        foreach (var path in Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(await DescribeAsync(outDir, path, ct));
        }
        var exported = recorded.Select(k => new KeyExport.ExportedKey(k.Id, k.CheckValue)).ToList();
        var manifest = new BackupManifest(BackupManifest.FormatName, 1, storage.Engine == StorageEngine.Sqlite ? "sqlite" : "postgresql",
            TimeZoneInfo.ConvertTime(clock.GetUtcNow(), JapanTime.Zone), database, schema,
            new BackupEncryption(KeyRing.FingerprintOf(exported.Select(k => (k.Id, k.CheckValue))), exported, values), files);
        await File.WriteAllBytesAsync(Path.Combine(outDir, BackupManifest.FileName), JsonSerializer.SerializeToUtf8Bytes(manifest, Json), ct);
        return manifest;
    }

    private async Task BackupSqliteAsync(string target, CancellationToken ct)
    {
        await using var source = new SqliteConnection(storage.ConnectionString);
        await source.OpenAsync(ct);
        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        await copy.OpenAsync(ct);
        // The online backup API copies a consistent snapshot while the app keeps writing (WAL mode).
        source.BackupDatabase(copy);
        // One self-contained file: no -wal beside the copy.
        await using var cmd = copy.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=DELETE;";
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task PgDumpAsync(string target, CancellationToken ct)
    {
        var b = new NpgsqlConnectionStringBuilder(storage.ConnectionString);
        await RunToolAsync("pg_dump", ["--format=custom", "--no-password", "--file", target, .. ConnectionArgs(b)], b.Password, ct);
    }

    /// <summary>Copies the files folder, leaving out key material (data-protection keys, a key ring placed inside by mistake).</summary>
    private void CopyFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        if (!Directory.Exists(from)) return;
        var skip = new[] { Path.Combine(Path.GetFullPath(from), "keys"), keys.Folder };
        foreach (var path in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var full = Path.GetFullPath(path);
            if (skip.Any(s => full.StartsWith(s + Path.DirectorySeparatorChar, StringComparison.Ordinal))) continue;
            var dest = Path.Combine(to, Path.GetRelativePath(from, path));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(path, dest);
        }
    }

    private static async Task<BackupFile> DescribeAsync(string root, string path, CancellationToken ct)
    {
        await using var f = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(f, ct);
        return new BackupFile(Path.GetRelativePath(root, path).Replace('\\', '/'), f.Length, Convert.ToHexStringLower(hash));
    }

    public static BackupManifest ReadManifest(string dir)
    {
        var path = Path.Combine(dir, BackupManifest.FileName);
        if (!File.Exists(path)) throw new BackupException($"{dir} に {BackupManifest.FileName} がありません。`./madoguchi backup --out` で作ったフォルダを指定してください。");
        try
        {
            var m = JsonSerializer.Deserialize<BackupManifest>(File.ReadAllBytes(path), Json);
            if (m is null || m.Format != BackupManifest.FormatName || m.FormatVersion != 1 || m.Files is null || m.Encryption is null) throw new JsonException();
            return m;
        }
        catch (JsonException)
        {
            throw new BackupException($"{path} は Madoguchi のバックアップの目録（{BackupManifest.FormatName} 版 1）として読めません。");
        }
    }

    /// <summary>Every problem found: a missing, changed or unlisted file, or a database copy that does not open.</summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(string dir, CancellationToken ct = default)
    {
        dir = Path.GetFullPath(dir);
        var manifest = ReadManifest(dir);
        var problems = new List<string>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in manifest.Files)
        {
            // A manifest must not point outside its folder (restore copies from these paths).
            var full = Path.GetFullPath(Path.Combine(dir, f.Path));
            if (Path.IsPathRooted(f.Path) || !full.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                problems.Add($"目録のパス '{f.Path}' はバックアップのフォルダの外を指しています。");
                continue;
            }
            listed.Add(full);
            if (!File.Exists(full))
            {
                problems.Add($"{f.Path}: ファイルがありません。");
                continue;
            }
            var actual = await DescribeAsync(dir, full, ct);
            if (actual.Size != f.Size || actual.Sha256 != f.Sha256)
            {
                problems.Add($"{f.Path}: 内容が目録と違います（SHA-256 {actual.Sha256[..16]}… ≠ 目録 {f.Sha256[..Math.Min(16, f.Sha256.Length)]}…、{actual.Size} バイト ≠ {f.Size} バイト）。");
            }
        }
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(path) == BackupManifest.FileName && Path.GetDirectoryName(path) == dir) continue;
            if (!listed.Contains(Path.GetFullPath(path))) problems.Add($"{Path.GetRelativePath(dir, path)}: 目録にないファイルです。");
        }
        var database = Path.Combine(dir, manifest.Database);
        if (problems.Count == 0 && File.Exists(database))
        {
            var dbProblem = manifest.Engine == "sqlite" ? await CheckSqliteAsync(database, ct) : await CheckDumpAsync(database, ct);
            if (dbProblem is not null) problems.Add($"{manifest.Database}: {dbProblem}");
        }
        return problems;
    }

    private static async Task<string?> CheckSqliteAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await c.OpenAsync(ct);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check;";
            var result = (string?)await cmd.ExecuteScalarAsync(ct);
            return result == "ok" ? null : $"SQLite の integrity_check が失敗しました（{result}）。";
        }
        catch (SqliteException e)
        {
            return $"SQLite のデータベースとして開けません（{e.Message}）。";
        }
    }

    private static async Task<string?> CheckDumpAsync(string path, CancellationToken ct)
    {
        try
        {
            await RunToolAsync("pg_restore", ["--list", path], null, ct);
            return null;
        }
        catch (BackupException e)
        {
            return e.Message;
        }
    }

    /// <summary>Why the target is not an empty instance, or null when it is (schema without data counts as empty).</summary>
    public static async Task<string?> WhyNotEmptyAsync(Storage target, CancellationToken ct = default)
    {
        // Key check values of a never-used instance protect nothing; restore replaces them.
        string[] ignored = ["__EFMigrationsHistory", "ProtectionKeys"];
        if (target.Engine == StorageEngine.Sqlite)
        {
            if (File.Exists(target.Display))
            {
                await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target.Display, Pooling = false }.ToString());
                await c.OpenAsync(ct);
                var tables = await ListAsync(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", ct);
                foreach (var t in tables.Except(ignored))
                {
                    if (await ListAsync(c, $"SELECT 1 FROM \"{t}\" LIMIT 1", ct) is { Count: > 0 }) return $"テーブル {t} にデータがあります";
                }
            }
        }
        else
        {
            await using var c = new NpgsqlConnection(target.ConnectionString);
            await c.OpenAsync(ct);
            var tables = await ListAsync(c, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", ct);
            foreach (var t in tables.Except(ignored))
            {
                if (await ListAsync(c, $"SELECT '1' FROM \"{t}\" LIMIT 1", ct) is { Count: > 0 }) return $"テーブル {t} にデータがあります";
            }
        }
        if (Directory.Exists(target.FilesFolder))
        {
            var dataProtection = Path.Combine(Path.GetFullPath(target.FilesFolder), "keys") + Path.DirectorySeparatorChar;
            var file = Directory.EnumerateFiles(target.FilesFolder, "*", SearchOption.AllDirectories)
                .FirstOrDefault(f => !Path.GetFullPath(f).StartsWith(dataProtection, StringComparison.Ordinal));
            if (file is not null) return $"ファイルフォルダ {target.FilesFolder} にファイル {Path.GetRelativePath(target.FilesFolder, file)} があります";
        }
        return null;
    }

    private static async Task<List<string>> ListAsync(System.Data.Common.DbConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await r.ReadAsync(ct)) list.Add(Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture)!);
        return list;
    }

    /// <summary>
    /// Restores a verified backup into an empty instance. Everything is checked before anything is
    /// written: the backup, the engine, that the target is empty, and that the keys match.
    /// </summary>
    /// <param name="ring">Keys from `keys export`; null to use a ring already at the target (e.g. `keys import`).</param>
    public static async Task<BackupManifest> RestoreAsync(string dir, Storage target, KeyRingStore targetKeys, KeyRing? ring, TimeProvider clock, CancellationToken ct = default)
    {
        dir = Path.GetFullPath(dir);
        var manifest = ReadManifest(dir);
        var problems = await VerifyAsync(dir, ct);
        if (problems.Count > 0)
        {
            throw new BackupException($"バックアップ {dir} の検証に失敗しました。何も書き込んでいません。\n" + string.Join("\n", problems));
        }
        var engine = target.Engine == StorageEngine.Sqlite ? "sqlite" : "postgresql";
        if (manifest.Engine != engine)
        {
            throw new BackupException($"このバックアップは {manifest.Engine} のものです。復元先（{target.Display}）は {engine} なので戻せません。");
        }
        if (await WhyNotEmptyAsync(target, ct) is { } reason)
        {
            throw new BackupException($"復元先 {target.Display} は空ではありません（{reason}）。restore は空のインスタンスにだけ戻します。新しいデータベース（--db）と空のファイルフォルダ（--files）を指定してください。何も書き込んでいません。");
        }
        var needed = manifest.Encryption.Keys;
        if (needed.Count > 0)
        {
            var have = ring ?? (targetKeys.Exists ? targetKeys.Reload() : null);
            if (have is null)
            {
                throw new BackupException(
                    $"このバックアップには暗号化された個人データ（{manifest.Encryption.ProtectedValues} 件、鍵 {string.Join(", ", needed.Select(k => k.Id))}、指紋 {manifest.Encryption.Fingerprint}）が含まれますが、鍵が指定されていません。" +
                    "鍵はデータのバックアップに入っていません。`./madoguchi keys export` で作った鍵ファイルを --key-file 鍵ファイル --passphrase-file パスフレーズのファイル で指定してください。何も書き込んでいません。");
            }
            var wrong = needed.Where(k => have.Find(k.Id)?.CheckValue != k.CheckValue).Select(k => k.Id).ToList();
            if (wrong.Count > 0)
            {
                throw new BackupException($"指定の鍵はこのバックアップのものではありません（鍵 {string.Join(", ", wrong)} がないか、確認値が一致しません。バックアップの鍵の指紋は {manifest.Encryption.Fingerprint}、指定の鍵は {have.Fingerprint}）。何も書き込んでいません。");
            }
        }

        if (target.Engine == StorageEngine.Sqlite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target.Display)!);
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(target.Display + suffix);
            File.Copy(Path.Combine(dir, manifest.Database), target.Display);
            // The copy is a single file (journal_mode=DELETE); back to WAL before EF opens it read-only to probe it.
            await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target.Display, Pooling = false }.ToString());
            await c.OpenAsync(ct);
            SqlitePragmas.Apply(c);
        }
        else
        {
            var b = new NpgsqlConnectionStringBuilder(target.ConnectionString);
            await RunToolAsync("pg_restore", ["--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-password",
                .. ConnectionArgs(b), Path.Combine(dir, manifest.Database)], b.Password, ct);
            NpgsqlConnection.ClearAllPools();
        }
        Directory.CreateDirectory(target.FilesFolder);
        foreach (var f in manifest.Files.Where(f => f.Path.StartsWith(BackupManifest.FilesFolder + "/", StringComparison.Ordinal)))
        {
            var dest = Path.Combine(target.FilesFolder, f.Path[(BackupManifest.FilesFolder.Length + 1)..]);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(Path.Combine(dir, f.Path), dest, overwrite: true);
        }
        if (ring is not null)
        {
            // An empty instance's own ring protects nothing, but key material is set aside, never deleted.
            if (targetKeys.Exists && targetKeys.Reload().Fingerprint != ring.Fingerprint) targetKeys.SetAside(clock.GetUtcNow());
            targetKeys.Save(ring);
        }
        // A backup of an older version is brought up to this version's schema.
        await DataModule.MigrateAsync(target, ct);
        return manifest;
    }

    private static string[] ConnectionArgs(NpgsqlConnectionStringBuilder b)
        => ["--host", b.Host ?? "localhost", "--port", b.Port.ToString(CultureInfo.InvariantCulture), "--dbname", b.Database ?? "", .. b.Username is { } u ? new[] { "--username", u } : []];

    /// <summary>pg_dump / pg_restore from PATH, else the newest under /usr/lib/postgresql/*/bin.</summary>
    public static string FindTool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var newest = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .OrderByDescending(x => x.Version)
                .Select(x => Path.Combine(x.Dir, "bin", name))
                .FirstOrDefault(File.Exists);
            if (newest is not null) return newest;
        }
        throw new BackupException($"{name} が見つかりません。PostgreSQL のクライアント（サーバーと同じかそれ以降の版）を入れて PATH に加えてください。");
    }

    private static async Task RunToolAsync(string name, string[] args, string? password, CancellationToken ct)
    {
        var start = new ProcessStartInfo(FindTool(name)) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The password goes through the environment of the child only, never its command line.
        if (!string.IsNullOrEmpty(password)) start.Environment["PGPASSWORD"] = password;
        using var p = Process.Start(start) ?? throw new BackupException($"{name} を起動できません。");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        await Task.WhenAll(stderr, stdout);
        if (p.ExitCode != 0) throw new BackupException($"{name} が失敗しました（終了コード {p.ExitCode}）: {(await stderr).Trim()}");
    }
}
