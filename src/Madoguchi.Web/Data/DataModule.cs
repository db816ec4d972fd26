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
        // Identity reads its schema version (3: passkeys) from the app's options; a context made
        // outside the app (CLI, design-time migrations) must build the same model.
        b.UseApplicationServiceProvider(IdentityModelServices.Value);
        return new MadoguchiDbContext(b.Options);
    }

    private static readonly Lazy<IServiceProvider> IdentityModelServices = new(() => new ServiceCollection()
        .Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(o => o.Stores.SchemaVersion = Microsoft.AspNetCore.Identity.IdentitySchemaVersions.Version3)
        .BuildServiceProvider());

    public static IServiceCollection AddMadoguchiData(this IServiceCollection services, Storage storage)
    {
        services.AddSingleton(storage);
        // Storage is resolved from DI, not captured, so a test host can swap in its own database.
        // Pooled: a request takes a reset context instead of building one; building its internal services
        // was about a fifth of reading a ledger page's rows (bench/ledger). The options are built once per app.
        services.AddPooledDbContextFactory<MadoguchiDbContext>((sp, o) => Configure(o, sp.GetRequiredService<Storage>()));
        services.AddScoped<ScopedDbContext>();
        // The container disposes it at the end of the scope: a pooled context goes back to the pool.
        services.AddScoped(sp => sp.GetRequiredService<ScopedDbContext>().Context);
        services.AddSingleton<SqliteCheckpointer>();
        services.AddHostedService(sp => sp.GetRequiredService<SqliteCheckpointer>());
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
        await Features.Cases.CaseBackfill.RunAsync(db, ct);
    }
}

/// <summary>
/// The scope's (request's) context: one from the pool, unless the scope is lent a context of its own
/// before anything asks for one. The publish check (<see cref="Features.Forms.FormPreview"/>) lends one
/// bound to its caller's connection and transaction; a pooled context must never be, or it would keep the
/// borrowed connection after going back to the pool.
/// </summary>
public sealed class ScopedDbContext(IDbContextFactory<MadoguchiDbContext> pool)
{
    private MadoguchiDbContext? _context;

    public MadoguchiDbContext Context => _context ??= pool.CreateDbContext();

    public void Lend(MadoguchiDbContext context)
    {
        if (_context is not null) throw new InvalidOperationException("This scope already uses a database context; lend one before anything in the scope asks for it.");
        _context = context;
    }
}
