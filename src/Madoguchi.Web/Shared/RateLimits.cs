using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;

namespace Madoguchi.Web.Shared;

/// <summary>
/// One rate-limiting mechanism for every endpoint group: a fixed window per client (address or
/// token), answered with 429 and Retry-After, never 503. Limits come from configuration
/// (Madoguchi:RateLimits:GROUP:PermitLimit and :WindowSeconds), so benchmarks can raise them.
/// </summary>
public static class RateLimits
{
    /// <summary>Sign-in steps (password, code, enrolment); only POSTs count.</summary>
    public const string SignIn = "signin";
    /// <summary>Requests made with a personal access token, per token.</summary>
    public const string Token = "token";
    /// <summary>Public endpoints that residents' browsers and open-data clients call, per address.</summary>
    public const string Public = "public";
    /// <summary>Submitting applications, per address: generous for a family's phones behind one router, not for a flood.</summary>
    public const string Submit = "submit";
    /// <summary>Guessable-by-trial lookups (status pages, resume codes), per address: kept low.</summary>
    public const string Lookup = "lookup";
    /// <summary>Queue tickets: per kiosk device (its token's id part) or, for tickets taken from a phone, per address.</summary>
    public const string Ticket = "ticket";

    private static readonly Dictionary<string, (int Permits, int Seconds)> Defaults = new()
    {
        [SignIn] = (30, 60),
        [Token] = (600, 60),
        [Public] = (600, 60),
        [Submit] = (60, 60),
        [Lookup] = (20, 60),
        [Ticket] = (30, 60),
    };

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        // Behind a reverse proxy the client address comes from X-Forwarded-For, trusted only from known proxies.
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            var proxies = builder.Configuration["Madoguchi:ForwardedHeaders:KnownProxies"] ?? "";
            foreach (var p in proxies.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
            {
                o.KnownProxies.Add(System.Net.IPAddress.Parse(p));
            }
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) =>
            {
                var seconds = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var ra) ? Math.Max(1, (int)Math.Ceiling(ra.TotalSeconds)) : 60;
                ctx.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
            foreach (var (group, fallback) in Defaults)
            {
                var section = builder.Configuration.GetSection("Madoguchi:RateLimits:" + group);
                var permits = section.GetValue("PermitLimit", fallback.Permits);
                var window = TimeSpan.FromSeconds(section.GetValue("WindowSeconds", fallback.Seconds));
                o.AddPolicy(group, http =>
                {
                    if (group == SignIn && !HttpMethods.IsPost(http.Request.Method)) return RateLimitPartition.GetNoLimiter("read");
                    return RateLimitPartition.GetFixedWindowLimiter(PartitionKey(group, http), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = permits,
                        Window = window,
                        QueueLimit = 0,
                    });
                });
            }
        });
        return builder;
    }

    private static string PartitionKey(string group, HttpContext http)
    {
        if (group == Token)
        {
            // The token's id part ("mdg_{id}_…"); the secret never becomes a key kept in memory.
            var header = http.Request.Headers.Authorization.ToString();
            var i = header.IndexOf("mdg_", StringComparison.Ordinal);
            if (i >= 0 && header.Length >= i + 36) return "token:" + header.Substring(i + 4, 32);
        }
        if (group == Ticket)
        {
            // A kiosk is one device behind the lobby's router: its own partition, not its neighbours'.
            var header = http.Request.Headers.Authorization.ToString();
            var i = header.IndexOf("kiosk_", StringComparison.Ordinal);
            if (i >= 0 && header.Length >= i + 38) return "kiosk:" + header.Substring(i + 6, 32);
        }
        return "address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
