using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Protection;

[Trait("storage", "true")]
public sealed class RotationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Dictionary<string, int>> StatusAsync(TestDatabase db)
    {
        var result = await CliRunner.RunAsync(db, "keys", "status");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("id").GetString()!, k => k.GetProperty("values").GetInt32());
    }

    [Fact]
    public async Task Rotation_keeps_old_values_readable_and_reencrypt_moves_every_row_to_the_new_key_in_batches()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var values = Enumerable.Range(0, 7).ToDictionary(i => $"r{i}", i => Canary.MyNumber($"1000000000{i}"));
        await using var host = ProtectionHost.Create(db);
        foreach (var (owner, value) in values) await host.PutAsync(owner, "MyNumber", value);

        var rotate = await CliRunner.RunAsync(db, "keys", "rotate");
        Assert.True(rotate.ExitCode == 0, rotate.Stderr);
        Assert.Equal(new Dictionary<string, int> { ["k1"] = 7, ["k2"] = 0 }, await StatusAsync(db));

        // Meanwhile: old ciphertexts still decrypt, and a new value is written under the new key.
        foreach (var (owner, value) in values) Assert.Equal(value, await host.GetAsync(owner, "MyNumber"));
        values["r9"] = Canary.MyNumber("99999999999");
        await host.PutAsync("r9", "MyNumber", values["r9"]);
        Assert.Equal(new Dictionary<string, int> { ["k1"] = 7, ["k2"] = 1 }, await StatusAsync(db));

        var batch = await host.RunAsync(sp => sp.GetRequiredService<KeyRotation>().ReencryptBatchAsync(3, ct: Ct));
        Assert.Equal(new KeyRotation.Batch(3, 0), batch);
        Assert.Equal(new Dictionary<string, int> { ["k1"] = 4, ["k2"] = 4 }, await StatusAsync(db));

        var retireEarly = await CliRunner.RunAsync(db, "keys", "retire", "--id", "k1");
        Assert.Equal(1, retireEarly.ExitCode);
        Assert.Contains("まだ 4 件", retireEarly.Stderr, StringComparison.Ordinal);

        var rest = await CliRunner.RunAsync(db, "keys", "reencrypt", "--batch", "2");
        Assert.True(rest.ExitCode == 0, rest.Stderr);
        Assert.Equal(new Dictionary<string, int> { ["k1"] = 0, ["k2"] = 8 }, await StatusAsync(db));
        await using (var ctx = db.CreateContext())
        {
            // The envelope itself names the new key, not only the column.
            Assert.All(await ctx.ProtectedValues.ToListAsync(Ct), v => Assert.Equal("k2", FieldCipher.KeyIdOf(v.Ciphertext)));
        }

        Assert.Equal(0, (await CliRunner.RunAsync(db, "keys", "retire", "--id", "k1")).ExitCode);
        Assert.Equal(["k2"], (await StatusAsync(db)).Keys);
        await using var restarted = ProtectionHost.Create(db);
        foreach (var (owner, value) in values) Assert.Equal(value, await restarted.GetAsync(owner, "MyNumber"));
    }

    [Fact]
    public async Task The_app_reencrypts_in_the_background_after_a_rotation()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:Keys:ReencryptSeconds"] = "1", ["Madoguchi:Keys:ReencryptBatch"] = "2" });
        await using (var scope = app.Scope())
        {
            var vault = scope.ServiceProvider.GetRequiredService<PersonalDataVault>();
            for (var i = 0; i < 5; i++) await vault.PutAsync("Resident", $"r{i}", "MyNumber", Canary.MyNumber($"2000000000{i}"), Ct);
            await scope.ServiceProvider.GetRequiredService<KeyRotation>().RotateAsync(Ct);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        int old;
        do
        {
            await Task.Delay(200, Ct);
            await using var ctx = app.Database.CreateContext();
            old = await ctx.ProtectedValues.CountAsync(v => v.KeyId == "k1", Ct);
        } while (old > 0 && DateTime.UtcNow < deadline);

        Assert.Equal(0, old);
        await using var read = app.Scope();
        Assert.Equal(Canary.MyNumber("20000000003"), await read.ServiceProvider.GetRequiredService<PersonalDataVault>().GetAsync("Resident", "r3", "MyNumber", "テスト", Ct));
    }

    [Fact]
    public async Task A_tampered_or_moved_ciphertext_is_an_error_never_wrong_data()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await using var host = ProtectionHost.Create(db);
        await host.PutAsync("alice", "MyNumber", Canary.MyNumber("31415926535"));
        await host.PutAsync("bob", "MyNumber", Canary.MyNumber("27182818284"));

        await using (var ctx = db.CreateContext())
        {
            var alice = await ctx.ProtectedValues.SingleAsync(v => v.OwnerId == "alice", Ct);
            var bob = await ctx.ProtectedValues.SingleAsync(v => v.OwnerId == "bob", Ct);
            // Bob's row gets Alice's ciphertext (a copy to another record); Alice's gets one flipped bit.
            bob.Ciphertext = alice.Ciphertext;
            alice.Ciphertext = [.. alice.Ciphertext[..^1], (byte)(alice.Ciphertext[^1] ^ 1)];
            await ctx.SaveChangesAsync(Ct);
        }

        var moved = await Assert.ThrowsAsync<ProtectedDataException>(() => host.GetAsync("bob", "MyNumber"));
        Assert.Contains("値は返しません", moved.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ProtectedDataException>(() => host.GetAsync("alice", "MyNumber"));
        // The failed reads were not audited as reads of data (nothing was shown).
        Assert.DoesNotContain("Personal data read", host.Logs.Text, StringComparison.Ordinal);
    }
}
