using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Microsoft.Data.Sqlite;

namespace Madoguchi.Tests.Features.Platform;

public sealed class StorageTests
{
    [Fact]
    public void A_sqlite_path_gets_a_files_folder_beside_it()
    {
        var s = Storage.Parse("/tmp/x/city.db");
        Assert.Equal(StorageEngine.Sqlite, s.Engine);
        Assert.Equal("/tmp/x/city.db.files", s.FilesFolder);
    }

    [Fact]
    public void A_postgres_url_becomes_a_connection_string_and_its_own_files_folder()
    {
        var s = Storage.Parse("postgres://mado:p%40ss@db.local:5433/koto");
        Assert.Equal(StorageEngine.Postgres, s.Engine);
        Assert.Contains("Host=db.local", s.ConnectionString);
        Assert.Contains("Port=5433", s.ConnectionString);
        Assert.Contains("Database=koto", s.ConnectionString);
        Assert.Contains("Password=p@ss", s.ConnectionString);
        Assert.EndsWith("pg-db.local-5433-koto.files", s.FilesFolder);
        Assert.NotEqual(Storage.Parse("postgres://mado@db.local:5433/other").FilesFolder, s.FilesFolder);
    }

    [Theory]
    [InlineData("mysql://x@y/z")]
    [InlineData("postgres://host-without-db")]
    public void An_unusable_database_value_is_refused_with_the_expected_forms(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => Storage.Parse(value));
        Assert.Contains("postgres://user:pass@host:port/db", e.Message);
    }

    [Fact]
    public async Task Every_sqlite_connection_runs_in_wal_mode_with_synchronous_full()
    {
        await using var db = await TestDatabase.CreateAsync(ct: TestContext.Current.CancellationToken);
        if (db.IsPostgres) return;
        await using var ctx = db.CreateContext();
        await ctx.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var conn = (SqliteConnection)ctx.Database.GetDbConnection();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        cmd.CommandText = "PRAGMA synchronous";
        Assert.Equal(2L, (long?)await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken)); // 2 = FULL
    }
}

public sealed class MigrationTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void The_migrations_of_each_engine_match_the_model(string engine)
    {
        // A model change without a migration would break upgrades of existing databases.
        var storage = engine == "sqlite"
            ? Storage.Parse(Path.Combine(Path.GetTempPath(), "unused.db"))
            : Storage.Parse("postgres://nobody@127.0.0.1:1/unused", Path.GetTempPath());
        using var db = DataModule.CreateContext(storage);
        Assert.False(db.Database.HasPendingModelChanges(), $"the {engine} model has changes without a migration: run scripts/add-migration NAME");
    }
}
