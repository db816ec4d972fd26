using System.CommandLine;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Cli;

/// <summary>`keys …`: the key ring that encrypts sensitive fields (docs/operations.md, "Key handling").</summary>
internal static class KeyCommands
{
    public static Command Create()
    {
        var status = new Command("status", "鍵ごとの暗号化済みの値の件数を表示します");
        status.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var keys = await sp.GetRequiredService<KeyRotation>().StatusAsync(ct);
            Cli.WriteJson(new
            {
                folder = sp.GetRequiredService<KeyRingStore>().Folder,
                fingerprint = sp.GetRequiredService<KeyRingStore>().Ring.Fingerprint,
                keys = keys.Select(k => new { id = k.Id, current = k.Current, checkValue = k.CheckValue, created = k.Created, values = k.Values }),
            });
            return Cli.Ok;
        }));

        var rotate = new Command("rotate", "新しい鍵を追加して現在の鍵にします（古い鍵で暗号化された値は keys reencrypt またはアプリが順に暗号化し直します）");
        rotate.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var key = await sp.GetRequiredService<KeyRotation>().RotateAsync(ct);
            Cli.Info($"鍵 {key.Id} を追加し、現在の鍵にしました。鍵リングが変わったので、`./madoguchi keys export` で鍵のバックアップを取り直してください。");
            return Cli.Ok;
        }));

        var batch = new Option<int>("--batch") { Description = "1回のトランザクションで暗号化し直す件数", DefaultValueFactory = _ => 500 };
        var reencrypt = new Command("reencrypt", "古い鍵で暗号化された値を、現在の鍵で暗号化し直します（バッチごとに1トランザクション）") { batch };
        reencrypt.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var size = result.GetValue(batch);
            if (size < 1) throw new CliException($"--batch は 1 以上です（{size} は使えません）。");
            int done;
            try
            {
                done = await sp.GetRequiredService<KeyRotation>().ReencryptAllAsync(size, n => Cli.Info($"{n} 件…"), ct);
            }
            catch (ProtectedDataException e)
            {
                throw new CliException("暗号化し直せない値があります。途中までのバッチは確定しています: " + e.Message);
            }
            Cli.Info($"{done} 件を現在の鍵で暗号化し直しました。使われなくなった鍵は keys status で確認し、keys retire --id で削除できます。");
            return Cli.Ok;
        }));

        var id = new Option<string>("--id") { Description = "削除する鍵の id（keys status で確認）", Required = true };
        var retire = new Command("retire", "どの値にも使われていない古い鍵を鍵リングから削除します") { id };
        retire.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            try
            {
                await sp.GetRequiredService<KeyRotation>().RetireAsync(result.GetValue(id)!, ct);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }
            Cli.Info($"鍵 {result.GetValue(id)} を削除しました。`./madoguchi keys export` で鍵のバックアップを取り直してください。");
            return Cli.Ok;
        }));

        var outFile = new Option<string>("--out") { Description = "書き出すファイル（データのバックアップとは別の場所に保管します）", Required = true };
        var exportPass = PassphraseOption();
        var export = new Command("export", "鍵リングをパスフレーズで暗号化して書き出します（パスフレーズはファイルか標準入力から読みます）") { outFile, exportPass };
        export.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var path = Path.GetFullPath(result.GetValue(outFile)!);
            if (File.Exists(path)) throw new CliException($"{path} はすでにあります。別のファイル名を指定してください（上書きしません）。");
            var ring = sp.GetRequiredService<KeyRingStore>().Reload();
            byte[] sealedRing;
            try
            {
                sealedRing = KeyExport.Seal(ring, ReadPassphrase(result, exportPass), sp.GetRequiredService<TimeProvider>().GetUtcNow());
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }
            await File.WriteAllBytesAsync(path, sealedRing, ct);
            Cli.Info($"鍵 {string.Join(", ", ring.Keys.Select(k => k.Id))}（指紋 {ring.Fingerprint}）を {path} に書き出しました。データのバックアップとは別に保管し、パスフレーズはさらに別に保管してください。");
            return Cli.Ok;
        }));

        var keyFile = KeyFileOption();
        var importPass = PassphraseOption();
        var import = new Command("import", "keys export で書き出した鍵を、このデータベースの鍵フォルダに戻します") { keyFile, importPass };
        import.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var store = sp.GetRequiredService<KeyRingStore>();
            var ring = OpenKeyFile(result, keyFile, importPass);
            var recorded = await sp.GetRequiredService<MadoguchiDbContext>().ProtectionKeys.AsNoTracking().ToListAsync(ct);
            var wrong = recorded.Where(r => ring.Find(r.Id)?.CheckValue != r.CheckValue).Select(r => r.Id).ToList();
            if (wrong.Count > 0) throw new CliException($"この鍵ファイルはデータベースの鍵（{string.Join(", ", wrong)}）を含みません。別の鍵ファイルを指定してください。何も書き込んでいません。");
            if (store.Exists)
            {
                if (store.Reload().Fingerprint == ring.Fingerprint)
                {
                    Cli.Info($"{store.Folder} にはすでに同じ鍵があります。");
                    return Cli.Ok;
                }
                throw new CliException($"{store.Folder} にはすでに別の鍵があります。上書きしません。中身を確認し、不要なら別の場所へ移してからやり直してください。");
            }
            store.Save(ring);
            Cli.Info($"鍵 {string.Join(", ", ring.Keys.Select(k => k.Id))}（指紋 {ring.Fingerprint}）を {store.Folder} に戻しました。");
            return Cli.Ok;
        }, checkKeys: false));

        return new Command("keys", "個人データを暗号化する鍵 / encryption keys") { status, rotate, reencrypt, retire, export, import };
    }

    public static Option<string?> PassphraseOption() => new("--passphrase-file")
    {
        Description = "パスフレーズを1行目に書いたファイル（省略時または - のときは標準入力）。パスフレーズを引数には書きません",
    };

    public static Option<string?> KeyFileOption() => new("--key-file") { Description = "keys export で書き出した鍵ファイル" };

    public static string ReadPassphrase(ParseResult result, Option<string?> option)
    {
        try
        {
            return KeyExport.ReadPassphrase(result.GetValue(option), Console.In);
        }
        catch (KeyRingException e)
        {
            throw new CliException(e.Message);
        }
        catch (IOException e)
        {
            throw new CliException($"パスフレーズのファイルを読めません: {e.Message}");
        }
    }

    /// <summary>Opens a key export; throws a CliException with the reason.</summary>
    public static KeyRing OpenKeyFile(ParseResult result, Option<string?> keyFile, Option<string?> passphrase)
        => OpenKeyFile(result.GetValue(keyFile) ?? throw new CliException("--key-file で鍵ファイルを指定してください。"), result, passphrase);

    public static KeyRing OpenKeyFile(string path, ParseResult result, Option<string?> passphrase)
    {
        if (!File.Exists(path)) throw new CliException($"鍵ファイル {Path.GetFullPath(path)} がありません。");
        try
        {
            return KeyExport.Open(File.ReadAllBytes(path), ReadPassphrase(result, passphrase));
        }
        catch (KeyRingException e)
        {
            throw new CliException(e.Message);
        }
    }
}
