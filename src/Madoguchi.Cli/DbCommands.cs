using System.CommandLine;
using Madoguchi.Web.Data;

namespace Madoguchi.Cli;

internal static class DbCommands
{
    public static Command Create()
    {
        var db = new Command("db", "データベースの管理 / database management");
        var migrate = new Command("migrate", "未適用のマイグレーションを適用します（新しいデータベースは作成します）");
        migrate.SetAction(async (result, ct) =>
        {
            Storage storage;
            try { storage = Cli.ResolveStorage(result); }
            catch (ArgumentException e) { Cli.Error(e.Message); return Cli.Failed; }
            await using var context = DataModule.CreateContext(storage);
            var pending = (await context.Database.GetPendingMigrationsAsync(ct)).ToList();
            await DataModule.MigrateAsync(storage, ct);
            Cli.Info(pending.Count == 0
                ? $"{storage.Display}: スキーマは最新です。"
                : $"{storage.Display}: {pending.Count} 件のマイグレーションを適用しました（{string.Join(", ", pending)}）。");
            return Cli.Ok;
        });
        db.Subcommands.Add(migrate);
        return db;
    }

    /// <summary>
    /// For `serve` and `demo load`: a database with no migration applied yet is new, so it is
    /// created and migrated; one that is merely behind is left for `db migrate` (an operator's call).
    /// </summary>
    public static async Task<int> EnsureCreatedAsync(Storage storage, CancellationToken ct)
    {
        await using var context = DataModule.CreateContext(storage);
        var applied = storage.Engine == StorageEngine.Sqlite && !File.Exists(storage.Display)
            ? []
            : (await context.Database.GetAppliedMigrationsAsync(ct)).ToList();
        if (applied.Count == 0)
        {
            Cli.Info($"{storage.Display}: 新しいデータベースを作成します。");
            await DataModule.MigrateAsync(storage, ct);
            return Cli.Ok;
        }
        var pending = (await context.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            Cli.Error($"データベース {storage.Display} には未適用のマイグレーションが {pending.Count} 件あります。先に `./madoguchi db migrate` を実行してください。");
            return Cli.PendingMigrations;
        }
        Directory.CreateDirectory(storage.FilesFolder);
        return Cli.Ok;
    }
}
