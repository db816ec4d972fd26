using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

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
    [Trait(Traits.Storage, "true")]
    public async Task A_plain_insert_writes_more_rows_than_one_postgresql_statement_can_carry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TestDatabase.CreateAsync(ct: ct);
        await using var ctx = db.CreateContext();
        // Departments have 4 columns: two full commands of 16,383 rows and a short one of 3 on PostgreSQL.
        var perCommand = PreparedInsert<Department>.MaxPostgresParameters / 4;
        var rows = Enumerable.Range(0, 2 * perCommand + 3).Select(i => new Department { Bu = "区民部", Ka = $"課{i:D5}", Kakari = i % 2 == 0 ? "" : "係" }).ToList();

        await using (var transaction = await ctx.Database.BeginTransactionAsync(ct))
        {
            await new PreparedInsert<Department>(ctx).InsertAsync(ctx, rows, ct);
            await transaction.CommitAsync(ct);
        }

        Assert.Equal(rows.Count, await ctx.Departments.CountAsync(ct));
        // Rows of the short last command and of the second full one read back as written.
        foreach (var written in new[] { rows[^1], rows[^4], rows[perCommand] })
        {
            var id = written.Id;
            var read = await ctx.Departments.AsNoTracking().SingleAsync(d => d.Id == id, ct);
            Assert.Equal((written.Bu, written.Ka, written.Kakari), (read.Bu, read.Ka, read.Kakari));
        }
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

    [Fact]
    public async Task Sqlite_stores_every_instant_at_offset_zero_so_the_stored_integers_order_as_the_instants_do()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TestDatabase.CreateAsync(migrate: false, ct: ct);
        if (db.IsPostgres) return;
        await using (var ctx = db.CreateContext())
        {
            // A row written by an earlier release, before NormalizeInstantsToUtc: 2026-06-01 00:00 +09:00
            // in EF Core's binary layout holds the clock time (ticks / 1000 << 11) and 540 minutes.
            await ctx.GetService<IMigrator>().MigrateAsync("20261127215918_AuditAppendOnly", ct);
            var local = new DateTime(2026, 6, 1, 0, 0, 0).Ticks / 1000;
            await ctx.Database.ExecuteSqlAsync($"""INSERT INTO "Municipalities" ("Id", "Code", "Name", "Rounding", "UpdatedAt") VALUES (1, '131083', '江東区', 0, {(local << 11) | 540})""", ct);
        }
        await DataModule.MigrateAsync(db.Storage, ct);

        await using var after = db.CreateContext();
        after.Add(new Municipality { Id = 2, Code = "131091", Name = "品川区", UpdatedAt = new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(9)) });
        await after.SaveChangesAsync(ct);
        var raw = await after.Database.SqlQueryRaw<long>("""SELECT "UpdatedAt" AS "Value" FROM "Municipalities" ORDER BY "Id" """).ToListAsync(ct);
        // Both at offset 0 now: the low 11 bits are empty, and the integers order as the instants.
        Assert.All(raw, v => Assert.Equal(0, v & 0x7FF));
        Assert.True(raw[0] < raw[1], "00:00 JST on 6/1 comes before 09:00 JST on 6/1");
        var read = await after.Set<Municipality>().AsNoTracking().OrderBy(m => m.Id).Select(m => m.UpdatedAt).ToListAsync(ct);
        Assert.Equal([new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(9)), new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(9))], read);
        Assert.All(read, v => Assert.Equal(TimeSpan.Zero, v.Offset));
    }

    [Fact]
    public async Task The_app_copies_the_write_ahead_log_into_the_database_file_in_the_background_not_in_a_commit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await MadoguchiFactory.CreateAsync();
        if (app.Database.IsPostgres) return;
        using var started = app.CreatePlainClient(); // the app, with its background services, is running
        await using var conn = new SqliteConnection(app.Database.Storage.ConnectionString);
        await conn.OpenAsync(ct);
        SqlitePragmas.Apply(conn);
        await using var cmd = conn.CreateCommand();
        // A commit checkpoints only past this limit, a backstop for when no app is running (the CLI).
        cmd.CommandText = "PRAGMA wal_autocheckpoint";
        Assert.Equal(10000L, (long?)await cmd.ExecuteScalarAsync(ct));

        var file = new FileInfo(app.Database.Storage.Display);
        var before = file.Length;
        // About 2 MB in ten commits: far below the backstop, so only the app's checkpointer copies it.
        cmd.CommandText = "CREATE TABLE checkpoint_probe (x BLOB NOT NULL)";
        await cmd.ExecuteNonQueryAsync(ct);
        cmd.CommandText = "INSERT INTO checkpoint_probe (x) VALUES (randomblob(200000))";
        for (var i = 0; i < 10; i++) await cmd.ExecuteNonQueryAsync(ct);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            file.Refresh();
            if (file.Length >= before + 2_000_000) break;
            await Task.Delay(100, ct);
        }
        Assert.True(file.Length >= before + 2_000_000, $"the database file grew by {file.Length - before:N0} bytes, not by the 2,000,000 written");
        cmd.CommandText = "SELECT count(*) FROM checkpoint_probe";
        Assert.Equal(10L, (long?)await cmd.ExecuteScalarAsync(ct));
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
