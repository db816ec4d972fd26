using Madoguchi.Web.Data;

namespace Madoguchi.Web.Features.Protection;

/// <summary>An operator error about keys: the message says where keys are expected and what to do.</summary>
public sealed class KeyRingException(string message) : Exception(message);

/// <summary>
/// The key ring file in its folder, outside the database and outside the files folder, readable by
/// the owner only. Cached; re-read when a key id it does not know turns up (another instance rotated).
/// </summary>
public sealed class KeyRingStore
{
    public const string Setting = "Madoguchi:Keys";
    public const string EnvironmentVariable = "MADOGUCHI_KEYS";
    public const string FileName = "keyring.json";

    private readonly Lock _lock = new();
    private KeyRing? _ring;
    private DateTime _stamp;

    public KeyRingStore(string folder) => Folder = Path.GetFullPath(folder);

    public string Folder { get; }
    public string FilePath => Path.Combine(Folder, FileName);
    public bool Exists => File.Exists(FilePath);

    /// <summary>
    /// Where the keys of a database live: the setting, else MADOGUCHI_KEYS, else beside the database
    /// (`madoguchi.db.keys/`) or, for PostgreSQL, beside its files folder (`X.files` → `X.keys`).
    /// </summary>
    public static string ResolveFolder(string? configured, Storage storage)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) return Path.GetFullPath(env);
        if (storage.Engine == StorageEngine.Sqlite) return storage.Display + ".keys";
        var files = Path.TrimEndingDirectorySeparator(Path.GetFullPath(storage.FilesFolder));
        return (files.EndsWith(".files", StringComparison.Ordinal) ? files[..^".files".Length] : files) + ".keys";
    }

    /// <summary>
    /// The ring as last read, read again when the file changed: a rotation by the CLI or another
    /// instance is followed at the next value written, without a restart.
    /// </summary>
    public KeyRing Ring
    {
        get
        {
            lock (_lock)
            {
                if (_ring is null || File.GetLastWriteTimeUtc(FilePath) != _stamp) return Reload();
                return _ring;
            }
        }
    }

    public KeyRing Reload()
    {
        lock (_lock)
        {
            _stamp = File.GetLastWriteTimeUtc(FilePath);
            return _ring = Read();
        }
    }

    /// <summary>The key with this id, re-reading the file once if the cached ring lacks it.</summary>
    public ProtectionKeyMaterial? Find(string id) => Ring.Find(id) ?? Reload().Find(id);

    private KeyRing Read()
    {
        if (!Exists) throw new KeyRingException($"暗号鍵のファイル {FilePath} がありません。");
        return KeyRing.FromJson(File.ReadAllBytes(FilePath));
    }

    /// <summary>Writes the ring atomically (temporary file, then rename) with owner-only permissions.</summary>
    /// <param name="createNew">Fail if a ring exists already (two instances creating keys at once).</param>
    /// <returns>False when <paramref name="createNew"/> and a ring was there first.</returns>
    public bool Save(KeyRing ring, bool createNew = false)
    {
        lock (_lock)
        {
            CreateFolder(Folder);
            var temp = Path.Combine(Folder, $".{FileName}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var f = new FileStream(temp, options))
            {
                f.Write(ring.ToJson());
                f.Flush(flushToDisk: true);
            }
            if (createNew)
            {
                try
                {
                    File.Move(temp, FilePath, overwrite: false);
                }
                catch (IOException) when (File.Exists(FilePath))
                {
                    File.Delete(temp);
                    _ring = null;
                    return false;
                }
            }
            else
            {
                File.Move(temp, FilePath, overwrite: true);
            }
            _ring = ring;
            _stamp = File.GetLastWriteTimeUtc(FilePath);
            return true;
        }
    }

    /// <summary>Moves an existing ring aside (never deletes key material) and returns where it went.</summary>
    public string? SetAside(DateTimeOffset now)
    {
        lock (_lock)
        {
            _ring = null;
            if (!Exists) return null;
            var aside = Path.Combine(Folder, $"keyring.replaced-{now:yyyyMMddHHmmss}-{Guid.NewGuid():N}.json");
            File.Move(FilePath, aside);
            return aside;
        }
    }

    public static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
