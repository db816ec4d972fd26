using Microsoft.Data.Sqlite;

namespace Madoguchi.Web.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file every half second, on a connection of
/// its own, instead of inside a commit. SQLite's automatic checkpoint runs in whichever commit fills
/// the log past its limit: that commit (for submissions, a whole batch of residents) then waits for
/// the copy and its fsync. A PASSIVE checkpoint here waits for nobody and nobody waits for it; a page
/// changed by many commits in the interval is written to the database file once.
/// The connections' own automatic checkpoint stays as a backstop at a larger limit
/// (<see cref="SqlitePragmas"/>), so the log stays bounded if this service is not running (the CLI).
/// </summary>
public sealed class SqliteCheckpointer(Storage storage, ILogger<SqliteCheckpointer> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>What a checkpoint found: frames in the log, and how many of them are now in the database file.</summary>
    public readonly record struct Result(bool Busy, int LogFrames, int Checkpointed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Engine != StorageEngine.Sqlite) return;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; meanwhile the connections' automatic checkpoint bounds the log.
                log.LogWarning(e, "SQLite checkpoint failed");
            }
        }
    }

    /// <summary>One PASSIVE checkpoint: copies what no reader still needs and returns at once, never blocking a writer.</summary>
    public async Task<Result> CheckpointAsync(CancellationToken ct)
    {
        await using var connection = new SqliteConnection(storage.ConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("wal_checkpoint returned no row");
        return new Result(reader.GetInt32(0) != 0, reader.GetInt32(1), reader.GetInt32(2));
    }
}
