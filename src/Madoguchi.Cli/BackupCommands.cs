using System.CommandLine;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;

namespace Madoguchi.Cli;

/// <summary>`backup`, `backup verify`, `restore` (docs/operations.md, "Backups" and "Restore drill").</summary>
internal static class BackupCommands
{
    public static Command Create()
    {
        var outDir = new Option<string?>("--out") { Description = "バックアップを書き出す空のフォルダ" };
        var backup = new Command("backup", "データベース（アプリの稼働中でも可）と添付ファイルを、目録つきでバックアップします。鍵は含みません（keys export で別に）") { outDir };
        backup.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var dir = result.GetValue(outDir) ?? throw new CliException("--out でバックアップを書き出すフォルダを指定してください。");
            BackupManifest manifest;
            try
            {
                manifest = await sp.GetRequiredService<Backups>().CreateAsync(dir, ct);
            }
            catch (BackupException e)
            {
                throw new CliException(e.Message);
            }
            Cli.Info($"{Path.GetFullPath(dir)} にバックアップしました（{manifest.Engine}、{manifest.Files.Count} ファイル、暗号化された値 {manifest.Encryption.ProtectedValues} 件、鍵の指紋 {manifest.Encryption.Fingerprint}）。" +
                     "鍵はこのバックアップに含まれません。`./madoguchi keys export` で書き出した鍵ファイルを別に保管してください。");
            return Cli.Ok;
        }));

        var dirArg = new Argument<string>("DIR") { Description = "backup --out で作ったフォルダ" };
        var verify = new Command("verify", "バックアップの各ファイルの SHA-256 を目録と照合し、データベースの複製を開いて検査します") { dirArg };
        verify.SetAction(async (result, ct) =>
        {
            var dir = result.GetValue(dirArg)!;
            try
            {
                var problems = await Backups.VerifyAsync(dir, ct);
                if (problems.Count > 0)
                {
                    Cli.Error($"バックアップ {Path.GetFullPath(dir)} に問題が {problems.Count} 件あります。このバックアップからは復元できません。\n" + string.Join("\n", problems));
                    return Cli.Failed;
                }
                var m = Backups.ReadManifest(dir);
                Cli.Info($"バックアップ {Path.GetFullPath(dir)} は正常です（{m.Engine}、{m.Created:yyyy-MM-dd HH:mm} 作成、{m.Files.Count} ファイル、鍵の指紋 {m.Encryption.Fingerprint}）。");
                return Cli.Ok;
            }
            catch (BackupException e)
            {
                Cli.Error(e.Message);
                return Cli.Failed;
            }
        });
        backup.Subcommands.Add(verify);
        return backup;
    }

    public static Command CreateRestore()
    {
        var dirArg = new Argument<string>("DIR") { Description = "backup --out で作ったフォルダ" };
        var keyFile = KeyCommands.KeyFileOption();
        var passphrase = KeyCommands.PassphraseOption();
        var restore = new Command("restore", "バックアップを空のインスタンス（--db、--files、--keys）に戻します。暗号化された値があるときは鍵ファイル（--key-file、または --keys にファイルを指定）が必要です") { dirArg, keyFile, passphrase };
        restore.SetAction(async (result, ct) =>
        {
            Storage target;
            try { target = Cli.ResolveStorage(result); }
            catch (ArgumentException e) { Cli.Error(e.Message); return Cli.Failed; }
            var keys = new KeyRingStore(KeyRingStore.ResolveFolder(Cli.KeysFolder(result), target));
            // `--keys FILE` (a key export rather than a folder) is accepted for --key-file.
            var exportFile = result.GetValue(keyFile) ?? (result.GetValue(Cli.KeysOption) is { } k && File.Exists(k) ? k : null);
            try
            {
                var ring = exportFile is null ? null : KeyCommands.OpenKeyFile(exportFile, result, passphrase);
                var manifest = await Backups.RestoreAsync(result.GetValue(dirArg)!, target, keys, ring, TimeProvider.System, ct);
                Cli.Info($"{target.Display} に {manifest.Created:yyyy-MM-dd HH:mm} のバックアップを戻しました（暗号化された値 {manifest.Encryption.ProtectedValues} 件、鍵フォルダ {keys.Folder}）。");
            }
            catch (Exception e) when (e is BackupException or CliException or KeyRingException)
            {
                Cli.Error(e.Message);
                return Cli.Failed;
            }
            // The restored database opens with its keys, as the app will.
            var (app, exit) = await Cli.OpenAsync(result, ct);
            if (app is null) return exit;
            await app.DisposeAsync();
            return Cli.Ok;
        });
        return restore;
    }
}
