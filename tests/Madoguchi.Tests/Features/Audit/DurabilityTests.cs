using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Tests.Features.Audit;

/// <summary>DESIGN.md §4.8: every acknowledged write survives kill -9; WAL + synchronous=FULL; synchronous_commit on.</summary>
public sealed class DurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Every_pooled_connection_is_durable_sqlite_wal_full_or_postgres_synchronous_commit()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        if (db.IsPostgres)
        {
            // Even where the database's own default is off, Madoguchi's connections commit synchronously.
            await using (var admin = db.CreateContext())
            {
                var name = await admin.Database.SqlQueryRaw<string>("SELECT current_database() AS \"Value\"").SingleAsync(Ct);
                var sql = "ALTER DATABASE \"" + name + "\" SET synchronous_commit = off";
                await admin.Database.ExecuteSqlRawAsync(sql, Ct);
            }
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
        // Several connections open at once (distinct pooled connections), then each reused from the pool.
        for (var round = 0; round < 2; round++)
        {
            var contexts = Enumerable.Range(0, 4).Select(_ => db.CreateContext()).ToList();
            try
            {
                foreach (var ctx in contexts) await ctx.Database.OpenConnectionAsync(Ct);
                foreach (var ctx in contexts)
                {
                    await using var cmd = ctx.Database.GetDbConnection().CreateCommand();
                    if (db.IsPostgres)
                    {
                        cmd.CommandText = "SHOW synchronous_commit";
                        Assert.Equal("on", (string?)await cmd.ExecuteScalarAsync(Ct));
                    }
                    else
                    {
                        cmd.CommandText = "PRAGMA journal_mode";
                        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync(Ct));
                        cmd.CommandText = "PRAGMA synchronous";
                        Assert.Equal(2L, (long?)await cmd.ExecuteScalarAsync(Ct)); // 2 = FULL
                    }
                }
            }
            finally
            {
                foreach (var ctx in contexts) await ctx.DisposeAsync();
            }
        }
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Every_acknowledged_write_survives_kill_9_and_the_audit_chain_verifies()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        const int Workers = 4;
        var procedures = Enumerable.Range(0, Workers).Select(i => Builders.Procedure($"K{i:000}")).ToArray();
        await using (var ctx = db.CreateContext())
        {
            ctx.Procedures.AddRange(procedures);
            await ctx.SaveChangesAsync(Ct);
        }
        var email = "kill9@test.example";
        Assert.Equal(0, (await CliRunner.RunAsync(db, "user", "create", "--email", email, "--password", "correct-horse-battery", "--role", "dx")).ExitCode);
        var created = await CliRunner.RunAsync(db, "token", "create", "--email", email, "--scope", "inventory:write");
        Assert.Equal(0, created.ExitCode);
        var token = created.Stdout.Trim().Split('\n')[^1].Trim();

        var port = FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var server = await StartAsync(db, port, http);
        // Each worker owns one procedure and writes to it one PATCH at a time, alternating tools; a
        // write counts once its 200 has arrived. The process is killed while writes are in flight.
        var acknowledged = procedures.ToDictionary(p => p.Id, _ => new List<string>());
        var inFlight = new Dictionary<Guid, string?>();
        using var stop = new CancellationTokenSource();
        var workers = procedures.Select((p, w) => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var tool = Procedure.KnownTools[(i + w) % Procedure.KnownTools.Count];
                lock (inFlight) inFlight[p.Id] = tool;
                try
                {
                    var response = await http.PatchAsJsonAsync($"/api/v1/procedures/{p.Id}", new { tool }, stop.Token);
                    if (response.StatusCode != HttpStatusCode.OK) return;
                    lock (acknowledged) acknowledged[p.Id].Add(tool);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    return;
                }
            }
        }, Ct)).ToList();
        for (var i = 0; i < 300 && acknowledged.Values.Sum(l => l.Count) < 60; i++) await Task.Delay(50, Ct);
        server.Kill(); // SIGKILL on Unix: no shutdown, no flush
        await server.WaitForExitAsync(Ct);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(acknowledged.Values.Sum(l => l.Count) >= 20, "too few writes were acknowledged before the kill");

        // Restart on the same database: it opens, and every acknowledged write is there.
        var restarted = await StartAsync(db, port, http);
        try
        {
            var list = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/procedures?limit=200", Ct);
            var tools = list.GetProperty("items").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetGuid(), x => x.GetProperty("tool").GetString());
            foreach (var p in procedures)
            {
                var acked = acknowledged[p.Id];
                if (acked.Count == 0) continue;
                // The last acknowledged value, or the one sent after it whose answer the kill cut off.
                Assert.True(tools[p.Id] == acked[^1] || tools[p.Id] == inFlight[p.Id], $"{p.Code}: database has '{tools[p.Id]}', last acknowledged '{acked[^1]}'");
            }
        }
        finally
        {
            restarted.Kill();
            await restarted.WaitForExitAsync(Ct);
        }
        await using (var ctx = db.CreateContext())
        {
            var patched = await ctx.AuditEntries.Where(e => e.Action == AuditActions.InventoryPatched).Select(e => e.TargetId).ToListAsync(Ct);
            foreach (var p in procedures)
            {
                Assert.InRange(patched.Count(t => t == p.Id.ToString()), acknowledged[p.Id].Count, acknowledged[p.Id].Count + 1);
            }
        }
        var verify = await CliRunner.RunAsync(db, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.StartsWith("OK:", verify.Stdout);
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The built CLI (as ./madoguchi runs it), beside this test assembly's configuration.</summary>
    internal static string CliDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "artifacts", "bin", "Madoguchi.Cli", configuration, "madoguchi.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new InvalidOperationException($"madoguchi.dll ({configuration}) not found under artifacts/bin/Madoguchi.Cli; build the solution first.");
    }

    internal static async Task<Process> StartAsync(TestDatabase db, int port, HttpClient http, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { CliDll(), "serve", "--urls", $"http://127.0.0.1:{port}", "--db", db.DbArgument, "--files", db.Storage.FilesFolder }) info.ArgumentList.Add(a);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 600; i++)
        {
            if (process.HasExited) break;
            try
            {
                if ((await http.GetAsync("/healthz", Ct)).IsSuccessStatusCode) return process;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, Ct);
        }
        if (!process.HasExited) process.Kill();
        lock (log) throw new InvalidOperationException("the app did not start:\n" + log);
    }
}
