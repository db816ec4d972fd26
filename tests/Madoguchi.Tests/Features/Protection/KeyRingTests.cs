using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Madoguchi.Tests.Features.Protection;

[Trait("storage", "true")]
public sealed class KeyRingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_database_gets_an_owner_only_key_ring_outside_the_database_and_files_folder_and_keeps_it_across_restarts()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var canary = Canary.MyNumber("31415926535");
        string folder;
        await using (var host = ProtectionHost.Create(db))
        {
            await host.PutAsync("r1", "MyNumber", canary);
            folder = host.Keys.Folder;
        }

        Assert.True(File.Exists(Path.Combine(folder, KeyRingStore.FileName)));
        Assert.StartsWith("..", Path.GetRelativePath(db.Storage.FilesFolder, folder), StringComparison.Ordinal);
        if (!db.IsPostgres) Assert.Equal(db.Storage.Display + ".keys", folder);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, KeyRingStore.FileName)));
        }
        // The database records a check value per key, never the key itself.
        await using (var ctx = db.CreateContext())
        {
            var key = Assert.Single(await ctx.ProtectionKeys.ToListAsync(Ct));
            var ring = new KeyRingStore(folder).Ring;
            Assert.Equal(ring.Current.CheckValue, key.CheckValue);
            Assert.Equal(16, key.CheckValue.Length);
            Assert.DoesNotContain(Convert.ToHexStringLower(ring.Current.Material)[..16], key.CheckValue, StringComparison.Ordinal);
        }
        // A restart reads the same keys.
        await using (var again = ProtectionHost.Create(db))
        {
            Assert.Equal(canary, await again.GetAsync("r1", "MyNumber"));
        }
    }

    [Fact]
    public async Task With_its_keys_missing_the_app_and_the_cli_refuse_to_start_and_say_where_keys_belong_and_create_none()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        string folder;
        await using (var host = ProtectionHost.Create(db))
        {
            await host.PutAsync("r1", "MyNumber", Canary.MyNumber("31415926535"));
            folder = host.Keys.Folder;
        }
        Directory.Move(folder, folder + ".moved");

        var cli = await CliRunner.RunAsync(db, "keys", "status");
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("暗号鍵が見つかりません", cli.Stderr, StringComparison.Ordinal);
        Assert.Contains(folder, cli.Stderr, StringComparison.Ordinal);
        Assert.Contains("keys import", cli.Stderr, StringComparison.Ordinal);
        Assert.Contains("新しい鍵は作りません", cli.Stderr, StringComparison.Ordinal);

        var serve = await CliRunner.RunAsync(db, "serve", "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, serve.ExitCode);
        Assert.Contains("暗号鍵が見つかりません", serve.Stderr, StringComparison.Ordinal);

        // The web host's start-up check (a hosted service) throws the same message.
        await using (var host = ProtectionHost.Create(db))
        {
            var check = host.App.Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "KeyRingStartupCheck");
            var e = await Assert.ThrowsAsync<KeyRingException>(() => check.StartAsync(Ct));
            Assert.Contains(folder, e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<KeyRingException>(() => host.GetAsync("r1", "MyNumber"));
        }
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "new keys were created");

        // Restored from the export, the keys open the data again.
        Directory.Move(folder + ".moved", folder);
        Assert.Equal(0, (await CliRunner.RunAsync(db, "keys", "status")).ExitCode);
    }

    [Fact]
    public async Task Another_instances_keys_are_refused_at_start_and_keys_import_puts_the_right_ones_back()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var canary = Canary.MyNumber("31415926535");
        string folder;
        await using (var host = ProtectionHost.Create(db))
        {
            await host.PutAsync("r1", "MyNumber", canary);
            folder = host.Keys.Folder;
        }
        var passphrase = Path.Combine(db.Folder, "pass.txt");
        await File.WriteAllTextAsync(passphrase, "とても長いパスフレーズ 123", Ct);
        var export = Path.Combine(db.Folder, "keys.export");
        Assert.Equal(0, (await CliRunner.RunAsync(db, "keys", "export", "--out", export, "--passphrase-file", passphrase)).ExitCode);
        Directory.Delete(folder, recursive: true);
        new KeyRingStore(folder).Save(KeyRing.New(DateTimeOffset.UtcNow));

        var refused = await CliRunner.RunAsync(db, "keys", "status");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("このデータベース", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("のものではありません", refused.Stderr, StringComparison.Ordinal);

        // Import never overwrites a ring; with the wrong one moved aside it restores the right one.
        var over = await CliRunner.RunAsync(db, "keys", "import", "--key-file", export, "--passphrase-file", passphrase);
        Assert.Equal(1, over.ExitCode);
        Assert.Contains("上書きしません", over.Stderr, StringComparison.Ordinal);
        Directory.Move(folder, folder + ".wrong");
        var imported = await CliRunner.RunAsync(db, "keys", "import", "--key-file", export, "--passphrase-file", passphrase);
        Assert.True(imported.ExitCode == 0, imported.Stderr);
        await using (var host = ProtectionHost.Create(db))
        {
            Assert.Equal(canary, await host.GetAsync("r1", "MyNumber"));
        }
    }

    [Fact]
    public async Task The_keys_option_points_the_cli_at_a_key_folder_elsewhere()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var elsewhere = Path.Combine(db.Folder, "vault-keys");

        var status = await CliRunner.RunAsync(db, "--keys", elsewhere, "keys", "status");

        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.True(File.Exists(Path.Combine(elsewhere, KeyRingStore.FileName)));
        Assert.Contains(elsewhere, status.Stdout, StringComparison.Ordinal);
        // The database now belongs to those keys: the default folder is not silently used instead.
        var without = await CliRunner.RunAsync(db, "keys", "status");
        Assert.Equal(1, without.ExitCode);
    }
}
