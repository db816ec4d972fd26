using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Webhooks;

/// <summary>
/// Sends due deliveries. Each delivery is first claimed with a conditional UPDATE (a lease), so
/// dispatchers of several app instances on one database never send the same attempt twice; the
/// result is written only under the same claim. Failures are retried with exponential backoff
/// (<see cref="Backoff"/>) until the delivery's retry window ends, then it is failed for good.
/// </summary>
public sealed partial class WebhookDispatcher(IServiceScopeFactory scopes, IHttpClientFactory http, TimeProvider clock,
    IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> log)
{
    public const string HttpClientName = "webhooks";
    public const int BatchSize = 50;
    public const int Parallelism = 4;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Longer than any request can take, so a lease only runs out when its dispatcher died.</summary>
    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, options.Value.TimeoutSeconds) * 3 + 30);

    /// <summary>
    /// The wait after failed attempt <paramref name="attempt"/> (1-based): 1 min, 2, 4 … capped at 1 hour,
    /// each ±10% at random so that receivers coming back are not hit by every retry at once.
    /// </summary>
    public static TimeSpan Backoff(int attempt, double random)
    {
        var minutes = Math.Min(FirstDelay.TotalMinutes * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30)), MaxDelay.TotalMinutes);
        return TimeSpan.FromMinutes(minutes * (0.9 + 0.2 * Math.Clamp(random, 0, 1)));
    }

    /// <summary>Asks the background loop to look for due deliveries now (e.g. after 再送).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); } catch (SemaphoreFullException) { }
        }
    }

    internal Task WaitAsync(TimeSpan interval, CancellationToken ct) => _wake.WaitAsync(interval, ct);

    /// <summary>Sends every delivery due now (in batches); returns how many requests were made.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct = default)
    {
        var total = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            List<Guid> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
                due = await Due(db, now).OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(BatchSize).ToListAsync(ct);
            }
            if (due.Count == 0) return total;
            var sent = 0;
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (id, c) =>
            {
                if (await TrySendAsync(id, c)) Interlocked.Increment(ref sent);
            });
            total += sent;
            // Another dispatcher took them all: leave the rest to it rather than spin.
            if (sent == 0 || due.Count < BatchSize) return total;
        }
    }

    private static IQueryable<WebhookDelivery> Due(MadoguchiDbContext db, DateTimeOffset now)
        => db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil <= now));

    /// <summary>Claims one delivery and sends it; false when another dispatcher had it or it was no longer due.</summary>
    private async Task<bool> TrySendAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var now = clock.GetUtcNow();
        var token = Guid.NewGuid();
        var leaseUntil = now + Lease;
        var claimed = await Due(db, now).Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, leaseUntil).SetProperty(d => d.LeaseToken, token), ct);
        if (claimed == 0) return false;

        var delivery = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Endpoint).FirstAsync(d => d.Id == id, ct);
        var endpoint = delivery.Endpoint!;
        var secret = endpoint.Active ? await scope.ServiceProvider.GetRequiredService<WebhookSecrets>().ReadAsync(db, endpoint.Id, ct) : null;
        if (secret is null)
        {
            // Deactivated meanwhile (its secret is gone): nothing may be sent any more.
            await db.WebhookDeliveries.Where(d => d.Id == id && d.LeaseToken == token).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, WebhookDeliveryStatus.Failed).SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null).SetProperty(d => d.LeaseToken, (Guid?)null).SetProperty(d => d.CompletedAt, now), ct);
            return false;
        }

        var attempt = await SendAsync(endpoint.Url, secret, delivery, ct);
        attempt.Number = delivery.Attempts + 1;
        attempt.Manual = delivery.ManualRequested;
        var after = clock.GetUtcNow();
        DateTimeOffset? next = null;
        var status = WebhookDeliveryStatus.Delivered;
        if (!attempt.Succeeded)
        {
            next = after + Backoff(attempt.Number, Random.Shared.NextDouble());
            status = next <= delivery.RetryUntil ? WebhookDeliveryStatus.Pending : WebhookDeliveryStatus.Failed;
            if (status == WebhookDeliveryStatus.Failed) next = null;
        }
        DateTimeOffset? completed = status == WebhookDeliveryStatus.Pending ? null : after;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The request was made, so it is logged even if the lease ran out meanwhile (the log tells the truth).
        db.WebhookAttempts.Add(attempt);
        await db.SaveChangesAsync(ct);
        var written = await db.WebhookDeliveries.Where(d => d.Id == id && d.LeaseToken == token).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, status)
            .SetProperty(d => d.Attempts, d => d.Attempts + 1)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
            .SetProperty(d => d.CompletedAt, completed)
            .SetProperty(d => d.ManualRequested, false)
            .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(d => d.LeaseToken, (Guid?)null), ct);
        await tx.CommitAsync(ct);
        if (written == 0) LeaseLost(log, id);
        if (!attempt.Succeeded) Failed(log, id, endpoint.Url, attempt.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? attempt.Error ?? "", attempt.Number);
        return true;
    }

    private async Task<WebhookAttempt> SendAsync(string url, string secret, WebhookDelivery delivery, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var at = clock.GetUtcNow();
        var timestamp = at.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.IdHeader, delivery.EventId.ToString());
        request.Headers.Add(WebhookSignature.TypeHeader, delivery.EventType);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        request.Headers.UserAgent.ParseAdd("Madoguchi-Webhooks/1");
        var attempt = new WebhookAttempt { DeliveryId = delivery.Id, At = at };
        var started = Stopwatch.GetTimestamp();
        var client = http.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            attempt.StatusCode = (int)response.StatusCode;
            if ((int)response.StatusCode is >= 300 and < 400) attempt.Error = "リダイレクトには従いません。送信先の URL を転送先のものに変えてください";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            attempt.Error = $"タイムアウト（{options.Value.TimeoutSeconds} 秒以内に応答がありませんでした）";
        }
        catch (HttpRequestException e)
        {
            attempt.Error = Clip($"接続できませんでした: {e.Message}");
        }
        attempt.DurationMs = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return attempt;
    }

    private static string Clip(string s) => s.Length <= WebhookAttempt.MaxErrorLength ? s : s[..WebhookAttempt.MaxErrorLength];

    [LoggerMessage(LogLevel.Warning, "Webhook delivery {Id} to {Url} failed on attempt {Attempt}: {Result}")]
    private static partial void Failed(ILogger log, Guid id, string url, string result, int attempt);

    [LoggerMessage(LogLevel.Warning, "Webhook delivery {Id}: the lease ran out before the result was written; the attempt is logged, the delivery left to its new holder")]
    private static partial void LeaseLost(ILogger log, Guid id);
}

/// <summary>Runs the dispatcher every few seconds on each instance (several instances share the work safely).</summary>
internal sealed partial class WebhookDispatchService(WebhookDispatcher dispatcher, IOptions<WebhookOptions> options, ILogger<WebhookDispatchService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.PollSeconds;
        if (seconds <= 0) return;
        var interval = TimeSpan.FromSeconds(seconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                try
                {
                    await dispatcher.RunDueAsync(stoppingToken);
                }
                // Whatever went wrong (database, keys, one odd delivery), the loop lives on: a dead
                // dispatcher would silently stop every webhook of the instance.
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Stopped(log, e.Message);
                }
                await dispatcher.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Webhook dispatch failed for now, trying again: {Message}")]
    private static partial void Stopped(ILogger log, string message);
}
