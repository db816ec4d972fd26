using System.Net;
using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;

namespace Madoguchi.Tests.Features.Platform;

[Trait("storage", "true")]
public sealed class CliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Db_migrate_creates_a_new_database_with_its_own_files_folder()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false, ct: Ct);

        var result = await CliRunner.RunAsync(db, "db", "migrate");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        await using var ctx = db.CreateContext();
        Assert.Empty(await ctx.Database.GetPendingMigrationsAsync(Ct));
        Assert.True(Directory.Exists(db.Storage.FilesFolder));
    }

    [Fact]
    public async Task Commands_refuse_a_database_with_pending_migrations_and_say_what_to_run()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await using (var ctx = db.CreateContext())
        {
            // Pretend the newest migration has not been applied.
            var last = (await ctx.Database.GetAppliedMigrationsAsync(Ct)).Last();
            await ctx.Database.ExecuteSqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {last}", Ct);
        }

        var result = await CliRunner.RunAsync(db, "kpi", "online", "--format", "json");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("未適用のマイグレーション", result.Stderr);
        Assert.Contains("./madoguchi db migrate", result.Stderr);
    }

    [Fact]
    public async Task The_municipality_code_is_checked_and_a_valid_one_is_kept()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);

        var bad = await CliRunner.RunAsync(db, "municipality", "set", "--name", "江東区", "--code", "131084");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("131083", bad.Stderr);

        var ok = await CliRunner.RunAsync(db, "municipality", "set", "--name", "江東区", "--code", "131083", "--rounding", "truncate");
        Assert.Equal(0, ok.ExitCode);
        var shown = JsonDocument.Parse((await CliRunner.RunAsync(db, "municipality", "show")).Stdout).RootElement;
        Assert.Equal("江東区", shown.GetProperty("name").GetString());
        Assert.Equal("131083", shown.GetProperty("code").GetString());
        Assert.Equal("truncate", shown.GetProperty("rounding").GetString());
    }

    [Fact]
    public async Task User_create_explains_what_is_wrong()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);

        var role = await CliRunner.RunAsync(db, "user", "create", "--email", "a@city.example", "--password", "long-enough-password", "--role", "boss");
        Assert.NotEqual(0, role.ExitCode);
        Assert.Contains("admin, dx, manager, staff, counter, auditor", role.Stderr);

        var dept = await CliRunner.RunAsync(db, "user", "create", "--email", "a@city.example", "--password", "long-enough-password", "--role", "staff");
        Assert.NotEqual(0, dept.ExitCode);
        Assert.Contains("--department", dept.Stderr);

        var shortPassword = await CliRunner.RunAsync(db, "user", "create", "--email", "a@city.example", "--password", "short", "--role", "dx");
        Assert.NotEqual(0, shortPassword.ExitCode);
        Assert.Contains("12文字以上", shortPassword.Stderr);

        var ok = await CliRunner.RunAsync(db, "user", "create", "--email", "a@city.example", "--password", "long-enough-password", "--role", "dx");
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("dx", JsonDocument.Parse(ok.Stdout).RootElement.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Demo_data_loads_only_into_an_empty_database()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false, ct: Ct);

        var first = await CliRunner.RunAsync(db, "demo", "load");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("3,058", first.Stderr);
        Assert.Contains("admin@demo.koto.example", first.Stderr);

        var second = await CliRunner.RunAsync(db, "demo", "load");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("空ではありません", second.Stderr);
    }

    [Fact]
    public async Task A_new_database_serves_its_pages_before_the_municipality_is_set()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/kpi", Ct)).StatusCode);
        var kpi = JsonDocument.Parse(await client.GetStringAsync("/api/v1/kpi/online", Ct)).RootElement;
        Assert.Equal(0, kpi.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, kpi.GetProperty("onlineRatePercent").ValueKind);
    }
}
