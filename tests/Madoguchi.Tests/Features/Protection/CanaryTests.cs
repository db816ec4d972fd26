using System.Diagnostics;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Protection;

/// <summary>DESIGN.md §4.7: a canary 個人番号 never appears in plain text at rest, in logs or in backups.</summary>
[Trait("storage", "true")]
public sealed class CanaryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_canary_my_number_never_appears_in_the_database_file_its_wal_the_logs_or_a_backup_while_a_plain_field_does()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        var canary = Canary.MyNumber("31415926535");
        // The positive control: the same scan must find a value stored in a plain column.
        var control = Canary.MyNumber("27182818284");
        await using (var host = ProtectionHost.Create(db))
        {
            await host.PutAsync("resident-1", "MyNumber", canary);
            await host.RunAsync(async sp =>
            {
                var ctx = sp.GetRequiredService<MadoguchiDbContext>();
                ctx.Procedures.Add(Builders.Procedure("P-1", configure: p => p.Name = "対照 " + control));
                return await ctx.SaveChangesAsync(Ct);
            });
            Assert.Equal(canary, await host.GetAsync("resident-1", "MyNumber"));

            if (!db.IsPostgres)
            {
                // Read while the app still holds its connections, so the WAL has not been checkpointed away.
                var file = Canary.ReadShared(db.Storage.Display);
                var wal = File.Exists(db.Storage.Display + "-wal") ? Canary.ReadShared(db.Storage.Display + "-wal") : [];
                Assert.Null(Canary.FindIn(file, canary));
                Assert.Null(Canary.FindIn(wal, canary));
                Assert.NotNull(Canary.FindIn([.. file, .. wal], control));
            }

            var backup = Path.Combine(db.Folder, "backup");
            var result = await CliRunner.RunAsync(db, "backup", "--out", backup);
            Assert.True(result.ExitCode == 0, result.Stderr);
            var found = false;
            foreach (var path in Directory.EnumerateFiles(backup, "*", SearchOption.AllDirectories))
            {
                var bytes = File.ReadAllBytes(path);
                Assert.True(Canary.FindIn(bytes, canary) is null, $"canary in {path}");
                found |= Canary.FindIn(bytes, control) is not null;
            }
            if (db.IsPostgres)
            {
                // pg_dump's custom format is compressed: scan its plain SQL as well, where the control shows.
                var sql = Path.Combine(db.Folder, "dump.sql");
                var p = Process.Start(Backups.FindTool("pg_restore"), ["--file", sql, Path.Combine(backup, BackupManifest.PostgresFile)]);
                await p.WaitForExitAsync(Ct);
                var text = File.ReadAllBytes(sql);
                Assert.Null(Canary.FindIn(text, canary));
                found |= Canary.FindIn(text, control) is not null;
            }
            Assert.True(found, "the control value was not found in the backup: the scan proves nothing");

            Assert.Contains("INSERT", host.Logs.Text, StringComparison.Ordinal);
            Assert.Null(Canary.FindIn(System.Text.Encoding.UTF8.GetBytes(host.Logs.Text), canary));
            Assert.Null(Canary.FindIn(System.Text.Encoding.UTF8.GetBytes(result.Stdout + result.Stderr), canary));
        }
    }
}
