using System.Collections.Concurrent;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// Counts failed sign-ins (wrong password or wrong code) per account and per client address: after
/// <see cref="MaxFailures"/> failures within <see cref="Window"/> the next attempt gets 429 with
/// Retry-After until the oldest failure leaves the window (DESIGN.md §4.4). Kept in memory: one
/// app instance serves a municipality, and a restart only forgets recent failures.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new();

    public static string AccountKey(string email) => "account:" + email.Trim().ToUpperInvariant();
    public static string AddressKey(HttpContext ctx) => "address:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>How long the caller must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(params string[] keys)
    {
        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var key in keys)
        {
            if (!_failures.TryGetValue(key, out var q)) continue;
            lock (q)
            {
                Prune(q, now);
                if (q.Count < MaxFailures) continue;
                // The attempt becomes possible when enough failures have aged out of the window.
                var until = q.ElementAt(q.Count - MaxFailures) + Window - now;
                if (wait is null || until > wait) wait = until;
            }
        }
        return wait;
    }

    public void Fail(params string[] keys)
    {
        var now = clock.GetUtcNow();
        foreach (var key in keys)
        {
            var q = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
            lock (q)
            {
                Prune(q, now);
                q.Enqueue(now);
            }
        }
        if (_failures.Count > 10_000) Sweep(now);
    }

    public void Reset(string key) => _failures.TryRemove(key, out _);

    private static void Prune(Queue<DateTimeOffset> q, DateTimeOffset now)
    {
        while (q.Count > 0 && now - q.Peek() >= Window) q.Dequeue();
    }

    // A flood of different addresses must not grow the table without end.
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, q) in _failures)
        {
            lock (q)
            {
                Prune(q, now);
                if (q.Count == 0) _failures.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Answers 429 with Retry-After in whole seconds (rounded up).</summary>
    public static void Refuse(HttpResponse response, TimeSpan wait)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
