using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Audit;
using Madoguchi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Tests.Features.Submissions;

/// <summary>
/// Issue 5 "Done when" crash test and DESIGN.md §4.8: submissions under load through the real HTTP
/// endpoint of the real app process, SIGKILL mid-stream, restart: every acknowledged receipt is there
/// and complete, nothing is half-written, and a retry with the same Idempotency-Key gets the same receipt.
/// </summary>
public sealed class SubmissionCrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Sent(string Key, string Marker, JsonObject Answers);

    private static JsonObject Answers(string marker)
    {
        var answers = SubmissionKit.GoodAnswers();
        answers["children"] = new JsonArray(new JsonObject { ["childName"] = marker, ["childBirthDate"] = "R5.6.1" });
        return answers;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, Sent s, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/forms/{SubmissionKit.Slug}/submissions")
        {
            Content = JsonContent.Create(new JsonObject { ["answers"] = s.Answers.DeepClone() }),
        };
        request.Headers.Add("Idempotency-Key", s.Key);
        return http.SendAsync(request, ct);
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task Every_acknowledged_receipt_survives_kill_9_complete_and_a_retry_after_restart_returns_the_same_receipt()
    {
        await using var db = await TestDatabase.CreateAsync(ct: Ct);
        await using (var ctx = db.CreateContext())
        {
            ctx.Procedures.Add(Builders.Procedure("KT-T0001"));
            await ctx.SaveChangesAsync(Ct);
        }
        var file = Path.Combine(Path.GetTempPath(), $"madoguchi-crash-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, SubmissionKit.FormJson, Ct);
        try
        {
            var imported = await CliRunner.RunAsync(db, "form", "import", file, "--procedure", "KT-T0001");
            Assert.True(imported.ExitCode == 0, imported.Stderr);
            var published = await CliRunner.RunAsync(db, "form", "publish", SubmissionKit.Slug);
            Assert.True(published.ExitCode == 0, published.Stderr);
        }
        finally
        {
            File.Delete(file);
        }

        var port = DurabilityTests.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        // All load comes from one address: the per-address submit limit would otherwise answer 429.
        var environment = new Dictionary<string, string> { ["Madoguchi__RateLimits__submit__PermitLimit"] = "1000000" };
        var server = await DurabilityTests.StartAsync(db, port, http, environment);

        const int Workers = 8;
        var acknowledged = new List<(Sent Sent, string Receipt, string StatusUrl)>();
        var inFlight = new HashSet<Sent>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var sent = new Sent(Guid.NewGuid().ToString(), $"子{w}-{i}", Answers($"子{w}-{i}"));
                lock (inFlight) inFlight.Add(sent);
                try
                {
                    using var response = await PostAsync(http, sent, stop.Token);
                    if (response.StatusCode != HttpStatusCode.Created) return;
                    var body = (await response.Content.ReadFromJsonAsync<JsonObject>(stop.Token))!;
                    lock (inFlight)
                    {
                        inFlight.Remove(sent);
                        acknowledged.Add((sent, body["receiptNumber"]!.GetValue<string>(), body["statusUrl"]!.GetValue<string>()));
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or System.Text.Json.JsonException)
                {
                    return;
                }
            }
        }, Ct)).ToList();
        for (var i = 0; i < 600; i++)
        {
            lock (inFlight) if (acknowledged.Count >= 200) break;
            await Task.Delay(50, Ct);
        }
        server.Kill(); // SIGKILL: no graceful shutdown, no flush of anything not yet committed
        await server.WaitForExitAsync(Ct);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(acknowledged.Count >= 50, $"too few submissions were acknowledged before the kill ({acknowledged.Count})");

        var restarted = await DurabilityTests.StartAsync(db, port, http, environment);
        try
        {
            await using (var ctx = db.CreateContext())
            {
                var version = await ctx.FormVersions.AsNoTracking().Where(v => v.Number == 1).Select(v => v.Id).SingleAsync(Ct);
                var stored = await ctx.Submissions.AsNoTracking().ToListAsync(Ct);
                var byReceipt = stored.ToDictionary(s => s.ReceiptNumber);
                foreach (var (sent, receipt, _) in acknowledged)
                {
                    Assert.True(byReceipt.TryGetValue(receipt, out var s), $"acknowledged receipt {receipt} is missing after kill -9");
                    Assert.Equal(sent.Key, s.IdempotencyKey);
                    Assert.Equal(1, s.FormVersionNumber);
                    Assert.Equal(version, s.FormVersionId);
                    var answers = JsonNode.Parse(s.AnswersJson)!.AsObject();
                    Assert.Equal(sent.Marker, answers["children"]![0]!["childName"]!.GetValue<string>());
                    Assert.Equal("山田", answers["applicantName"]!["family"]!.GetValue<string>());
                    Assert.Equal("2023-06-01", answers["children"]![0]!["childBirthDate"]!.GetValue<string>());
                }
                // Nothing else: every stored submission is one that was sent, whole, once per key.
                var sentKeys = acknowledged.Select(a => a.Sent.Key).Concat(inFlight.Select(s => s.Key)).ToHashSet();
                Assert.All(stored, s => Assert.Contains(s.IdempotencyKey!, sentKeys));
                Assert.Equal(stored.Count, stored.Select(s => s.IdempotencyKey).Distinct().Count());
                Assert.All(stored, s => Assert.NotNull(JsonNode.Parse(s.AnswersJson)!["children"]));
            }

            // Retries after the restart: acknowledged ones get the same receipt and status link (the
            // status secret's keys survived too); those cut off by the kill get exactly one submission.
            foreach (var (sent, receipt, statusUrl) in acknowledged.Take(20))
            {
                using var retry = await PostAsync(http, sent, Ct);
                Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
                var body = (await retry.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
                Assert.Equal(receipt, body["receiptNumber"]!.GetValue<string>());
                Assert.Equal(statusUrl, body["statusUrl"]!.GetValue<string>());
            }
            var lastStatus = acknowledged[^1].StatusUrl;
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(lastStatus, Ct)).StatusCode);
            foreach (var sent in inFlight)
            {
                using var retry = await PostAsync(http, sent, Ct);
                Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            }
            await using (var ctx = db.CreateContext())
            {
                var keys = await ctx.Submissions.AsNoTracking().Select(s => s.IdempotencyKey).ToListAsync(Ct);
                Assert.Equal(acknowledged.Count + inFlight.Count, keys.Count);
                Assert.Equal(keys.Count, keys.Distinct().Count());
            }
        }
        finally
        {
            restarted.Kill();
            await restarted.WaitForExitAsync(Ct);
        }
    }
}
