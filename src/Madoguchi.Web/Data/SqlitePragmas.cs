using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Madoguchi.Web.Data;

/// <summary>
/// Every SQLite connection runs in WAL mode with synchronous=FULL so that an acknowledged write
/// survives a crash (DESIGN.md §4.8); foreign keys are off by default in SQLite.
/// The pragmas are per connection and a pooled connection keeps them, so they run once for each
/// underlying SQLite connection, not on every open from the pool (five statements on the hot path).
/// The automatic checkpoint limit is raised from SQLite's 1,000 pages: in the app the
/// <see cref="SqliteCheckpointer"/> copies the log outside any commit, and this limit is only its backstop.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const string Sql = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=10000;";

    /// <summary>The native connections (SQLitePCL handles, reused by the pool) that already ran <see cref="Sql"/>.</summary>
    private static readonly ConditionalWeakTable<object, object> Applied = [];
    private static readonly object Done = new();

    public static void Apply(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Sql;
        cmd.ExecuteNonQuery();
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection c && IsNew(c))
        {
            Apply(c);
            Remember(c);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection c && IsNew(c))
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = Sql;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            Remember(c);
        }
    }

    private static bool IsNew(SqliteConnection c) => c.Handle is not { } handle || !Applied.TryGetValue(handle, out _);

    // Remembered only after the pragmas succeeded, so a failed attempt runs them again on the next open.
    private static void Remember(SqliteConnection c)
    {
        if (c.Handle is { } handle) Applied.AddOrUpdate(handle, Done);
    }
}
