using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Data;

public static class DataModule
{
    public const string SqliteMigrationsAssembly = "Madoguchi.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Madoguchi.Migrations.Postgres";

    public static void Configure(DbContextOptionsBuilder options, Storage storage)
    {
        if (storage.Engine == StorageEngine.Sqlite)
        {
            options.UseSqlite(storage.ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly))
                .AddInterceptors(new SqlitePragmas());
        }
        else
        {
            options.UseNpgsql(storage.ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
        }
    }

    public static MadoguchiDbContext CreateContext(Storage storage)
    {
        var b = new DbContextOptionsBuilder<MadoguchiDbContext>();
        Configure(b, storage);
        return new MadoguchiDbContext(b.Options);
    }

    public static IServiceCollection AddMadoguchiData(this IServiceCollection services, Storage storage)
    {
        services.AddSingleton(storage);
        // Storage is resolved from DI, not captured, so a test host can swap in its own database.
        services.AddDbContext<MadoguchiDbContext>((sp, o) => Configure(o, sp.GetRequiredService<Storage>()));
        return services;
    }

    /// <summary>Migrations not yet applied; empty when the schema is current.</summary>
    public static async Task<IReadOnlyList<string>> PendingMigrationsAsync(MadoguchiDbContext db, CancellationToken ct = default)
        => [.. await db.Database.GetPendingMigrationsAsync(ct)];

    /// <summary>Creates (for SQLite: the file and its folder) and migrates the database.</summary>
    public static async Task MigrateAsync(Storage storage, CancellationToken ct = default)
    {
        if (storage.Engine == StorageEngine.Sqlite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(storage.Display)!);
        }
        Directory.CreateDirectory(storage.FilesFolder);
        await using var db = CreateContext(storage);
        await db.Database.MigrateAsync(ct);
    }
}
