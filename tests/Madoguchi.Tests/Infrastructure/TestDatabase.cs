using Madoguchi.Web.Data;
using Npgsql;

namespace Madoguchi.Tests.Infrastructure;

/// <summary>
/// A database of a test's own: a temporary SQLite file (WAL, synchronous=FULL, as in production),
/// or — when MADOGUCHI_TEST_POSTGRES names a server — a new PostgreSQL database dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "MADOGUCHI_TEST_POSTGRES";

    private readonly string _folder;
    private readonly string? _adminConnection;
    private readonly string? _databaseName;

    public Storage Storage { get; }
    public string Folder => _folder;
    public bool IsPostgres => Storage.Engine == StorageEngine.Postgres;

    /// <summary>The URL a test passes to the CLI as --db.</summary>
    public string DbArgument { get; }

    private TestDatabase(Storage storage, string folder, string dbArgument, string? adminConnection, string? databaseName)
    {
        Storage = storage;
        _folder = folder;
        DbArgument = dbArgument;
        _adminConnection = adminConnection;
        _databaseName = databaseName;
    }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } v ? v : null;

    public static async Task<TestDatabase> CreateAsync(bool migrate = true, CancellationToken ct = default)
    {
        var folder = Path.Combine(Path.GetTempPath(), "madoguchi-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        TestDatabase db;
        if (PostgresServer is { } server)
        {
            var admin = Storage.PostgresUrlToConnectionString(server);
            var name = "madoguchi_t_" + Guid.NewGuid().ToString("N");
            await using (var conn = new NpgsqlConnection(admin))
            {
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            var uri = new UriBuilder(server) { Path = "/" + name };
            var url = uri.Uri.ToString();
            db = new TestDatabase(Storage.Parse(url, Path.Combine(folder, "files")), folder, url, admin, name);
        }
        else
        {
            var path = Path.Combine(folder, "madoguchi.db");
            db = new TestDatabase(Storage.Parse(path), folder, path, null, null);
        }
        if (migrate) await DataModule.MigrateAsync(db.Storage, ct);
        return db;
    }

    public MadoguchiDbContext CreateContext() => DataModule.CreateContext(Storage);

    public async ValueTask DisposeAsync()
    {
        if (_adminConnection is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_adminConnection);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
