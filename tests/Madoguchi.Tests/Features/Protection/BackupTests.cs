using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Protection;

namespace Madoguchi.Tests.Features.Protection;

[Trait("storage", "true")]
public sealed class BackupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> PassphraseFileAsync(string folder, string passphrase = "正しい馬 電池 ホチキス 2026")
    {
        var path = Path.Combine(folder, "passphrase.txt");
        await File.WriteAllTextAsync(path, passphrase + "\n", Ct);
        return path;
    }

    private static async Task<(string Backup, string KeyFile, string Passphrase)> BackUpAsync(TestDatabase db, string canary)
    {
        await using (var host = ProtectionHost.Create(db))
        {
            await host.PutAsync("resident-1", "MyNumber", canary);
            await host.PutAsync("resident-1", "BankAccount", "みずほ銀行 江東支店 普通 1234567");
        }
        var upload = Path.Combine(db.Storage.FilesPath("uploads"), "申請書.pdf");
        await File.WriteAllBytesAsync(upload, [.. "%PDF-1.7 test"u8], Ct);
        var backup = Path.Combine(db.Folder, "backup");
        var made = await CliRunner.RunAsync(db, "backup", "--out", backup);
        Assert.True(made.ExitCode == 0, made.Stderr);
        var passphrase = await PassphraseFileAsync(db.Folder);
        var keyFile = Path.Combine(db.Folder, "keys.export");
        var exported = await CliRunner.RunAsync(db, "keys", "export", "--out", keyFile, "--passphrase-file", passphrase);
        Assert.True(exported.ExitCode == 0, exported.Stderr);
        return (backup, keyFile, passphrase);
    }

    [Fact]
    public async Task Restore_into_an_empty_instance_refuses_without_the_keys_and_reads_the_encrypted_fields_back_with_them()
    {
        await using var source = await TestDatabase.CreateAsync(ct: Ct);
        var canary = Canary.MyNumber("12345678901");
        var (backup, keyFile, passphrase) = await BackUpAsync(source, canary);
        var manifest = Backups.ReadManifest(backup);
        Assert.Equal(2, manifest.Encryption.ProtectedValues);
        Assert.Contains(manifest.Files, f => f.Path == "files/uploads/申請書.pdf");
        // The data backup holds check values, never key material.
        var material = Convert.ToBase64String(new KeyRingStore(KeyRingStore.ResolveFolder(null, source.Storage)).Ring.Current.Material);
        Assert.DoesNotContain(material, await File.ReadAllTextAsync(Path.Combine(backup, BackupManifest.FileName), Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateFiles(backup, "*", SearchOption.AllDirectories), f => f.Contains("keyring", StringComparison.Ordinal));

        await using var target = await TestDatabase.CreateAsync(migrate: false, ct: Ct);
        var refused = await CliRunner.RunAsync(target, "restore", backup);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("暗号化された個人データ（2 件", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("鍵が指定されていません", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--key-file", refused.Stderr, StringComparison.Ordinal);
        Assert.Null(await Backups.WhyNotEmptyAsync(target.Storage, Ct));

        var wrongPass = await PassphraseFileAsync(target.Folder, "まちがったパスフレーズです");
        var wrong = await CliRunner.RunAsync(target, "restore", backup, "--key-file", keyFile, "--passphrase-file", wrongPass);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("パスフレーズが違う", wrong.Stderr, StringComparison.Ordinal);
        Assert.Null(await Backups.WhyNotEmptyAsync(target.Storage, Ct));

        // `--keys FILE` works too: a file is a key export, never a key folder.
        var restored = await CliRunner.RunAsync(target, "restore", backup, "--keys", keyFile, "--passphrase-file", passphrase);
        Assert.True(restored.ExitCode == 0, restored.Stderr);
        await using (var host = ProtectionHost.Create(target))
        {
            Assert.Equal(canary, await host.GetAsync("resident-1", "MyNumber"));
            Assert.Equal("みずほ銀行 江東支店 普通 1234567", await host.GetAsync("resident-1", "BankAccount"));
        }
        Assert.Equal("%PDF-1.7 test"u8.ToArray(), await File.ReadAllBytesAsync(Path.Combine(target.Storage.FilesFolder, "uploads", "申請書.pdf"), Ct));

        // A second restore finds the instance no longer empty.
        var again = await CliRunner.RunAsync(target, "restore", backup, "--key-file", keyFile, "--passphrase-file", passphrase);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("空ではありません", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_from_another_instance_are_refused_and_nothing_is_written()
    {
        await using var source = await TestDatabase.CreateAsync(ct: Ct);
        var (backup, _, passphrase) = await BackUpAsync(source, Canary.MyNumber("98765432109"));
        await using var other = await TestDatabase.CreateAsync(ct: Ct);
        await using (var host = ProtectionHost.Create(other)) await host.PutAsync("x", "MyNumber", Canary.MyNumber("11111111111"));
        var otherKeys = Path.Combine(other.Folder, "other.export");
        Assert.Equal(0, (await CliRunner.RunAsync(other, "keys", "export", "--out", otherKeys, "--passphrase-file", passphrase)).ExitCode);

        await using var target = await TestDatabase.CreateAsync(migrate: false, ct: Ct);
        var result = await CliRunner.RunAsync(target, "restore", backup, "--key-file", otherKeys, "--passphrase-file", passphrase);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("このバックアップのものではありません", result.Stderr, StringComparison.Ordinal);
        Assert.Null(await Backups.WhyNotEmptyAsync(target.Storage, Ct));
    }

    [Fact]
    public async Task Backup_verify_passes_an_untouched_backup_and_names_a_modified_missing_or_extra_file()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var (backup, _, _) = await BackUpAsync(db, Canary.MyNumber("55555555555"));

        var ok = await CliRunner.RunAsync(db, "backup", "verify", backup);
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("正常です", ok.Stderr, StringComparison.Ordinal);

        var upload = Path.Combine(backup, "files", "uploads", "申請書.pdf");
        var bytes = await File.ReadAllBytesAsync(upload, Ct);
        bytes[^1] ^= 1;
        await File.WriteAllBytesAsync(upload, bytes, Ct);
        await File.WriteAllTextAsync(Path.Combine(backup, "files", "紛れ込み.txt"), "x", Ct);
        var bad = await CliRunner.RunAsync(db, "backup", "verify", backup);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("files/uploads/申請書.pdf: 内容が目録と違います", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("紛れ込み.txt: 目録にないファイルです", bad.Stderr, StringComparison.Ordinal);

        // A damaged backup is never restored.
        await using var target = await TestDatabase.CreateAsync(migrate: false, ct: Ct);
        var restore = await CliRunner.RunAsync(target, "restore", backup);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("検証に失敗しました", restore.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_copy_changed_with_its_hash_updated_still_fails_when_it_no_longer_opens()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var (backup, _, _) = await BackUpAsync(db, Canary.MyNumber("22222222222"));
        var manifest = Backups.ReadManifest(backup);
        var database = Path.Combine(backup, manifest.Database);
        // Garble the middle of the copy, then forge the manifest so only the database check can notice.
        var bytes = await File.ReadAllBytesAsync(database, Ct);
        Array.Fill(bytes, (byte)0xAB, 100, Math.Min(4000, bytes.Length - 100));
        await File.WriteAllBytesAsync(database, bytes, Ct);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var forged = manifest with { Files = [.. manifest.Files.Select(f => f.Path == manifest.Database ? f with { Sha256 = hash, Size = bytes.Length } : f)] };
        await File.WriteAllTextAsync(Path.Combine(backup, BackupManifest.FileName),
            System.Text.Json.JsonSerializer.Serialize(forged, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }), Ct);

        var result = await CliRunner.RunAsync(db, "backup", "verify", backup);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(manifest.Database, result.Stderr, StringComparison.Ordinal);
    }
    [Fact]
    public async Task A_backup_taken_while_the_app_writes_verifies_and_restores_every_value_written_before_it_started()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await using var host = ProtectionHost.Create(db);
        for (var i = 0; i < 20; i++) await host.PutAsync($"before-{i}", "MyNumber", Canary.MyNumber($"300000000{i:D2}"));
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await host.PutAsync($"during-{written}", "MyNumber", Canary.MyNumber($"4{written:D10}"));
                written++;
            }
        }, Ct);
        while (written < 5) await Task.Delay(10, Ct);

        var backup = Path.Combine(db.Folder, "backup");
        var made = await CliRunner.RunAsync(db, "backup", "--out", backup);
        await stop.CancelAsync();
        await writer;

        Assert.True(made.ExitCode == 0, made.Stderr);
        Assert.Equal(0, (await CliRunner.RunAsync(db, "backup", "verify", backup)).ExitCode);
        var passphrase = await PassphraseFileAsync(db.Folder);
        var keyFile = Path.Combine(db.Folder, "keys.export");
        Assert.Equal(0, (await CliRunner.RunAsync(db, "keys", "export", "--out", keyFile, "--passphrase-file", passphrase)).ExitCode);
        await using var target = await TestDatabase.CreateAsync(migrate: false, ct: Ct);
        var restored = await CliRunner.RunAsync(target, "restore", backup, "--key-file", keyFile, "--passphrase-file", passphrase);
        Assert.True(restored.ExitCode == 0, restored.Stderr);
        await using var copy = ProtectionHost.Create(target);
        for (var i = 0; i < 20; i++) Assert.Equal(Canary.MyNumber($"300000000{i:D2}"), await copy.GetAsync($"before-{i}", "MyNumber"));
        // Rows written during the backup are in it or not, but never half: each one present reads back.
        await using var ctx = target.CreateContext();
        var during = await ctx.ProtectedValues.Where(v => v.OwnerId.StartsWith("during-")).Select(v => v.OwnerId).ToListAsync(Ct);
        Assert.True(during.Count >= 5, $"only {during.Count} rows written before the backup started are in it");
        foreach (var owner in during) Assert.NotNull(await copy.GetAsync(owner, "MyNumber"));
    }
}
