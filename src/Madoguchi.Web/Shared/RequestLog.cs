using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Madoguchi.Web.Shared;

/// <summary>
/// One log line per request, with the secrets some addresses carry blanked out. ASP.NET Core's own
/// request lines (Microsoft.AspNetCore.Hosting.Diagnostics, turned down to warnings in MadoguchiApp)
/// write the whole URL: a status page's key, an e-mailed resume code, a 補正 link or a queue ticket's
/// token would open that resident's application or ticket to anyone who can read the logs.
/// </summary>
public static partial class RequestLog
{
    /// <summary>Routes whose next path segment is a secret that opens something on its own.</summary>
    private static readonly string[] SecretSegmentAfter = ["/corrections/", "/reservations/r/", "/kiosk/tickets/", "/kiosk/qr/", "/queue/tickets/"];

    /// <summary>Query parameters that carry a secret: the status key, the resume code, sign-in codes and state.</summary>
    private static readonly HashSet<string> SecretQueryNames = new(["key", "code", "token", "secret", "state"], StringComparer.OrdinalIgnoreCase);

    private const string Hidden = "***";

    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Madoguchi.Requests");
        return app.Use(async (ctx, next) =>
        {
            if (!log.IsEnabled(LogLevel.Information))
            {
                await next(ctx);
                return;
            }
            var start = Stopwatch.GetTimestamp();
            try
            {
                await next(ctx);
            }
            finally
            {
                Finished(log, ctx.Request.Method, Redact(ctx.Request.Path, ctx.Request.QueryString), ctx.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
    }

    /// <summary>The path and query as they may be logged: secret segments and secret query values replaced by ***.</summary>
    public static string Redact(PathString path, QueryString query)
    {
        var p = path.Value ?? "";
        foreach (var prefix in SecretSegmentAfter)
        {
            var i = p.IndexOf(prefix, StringComparison.OrdinalIgnoreCase);
            if (i < 0) continue;
            var start = i + prefix.Length;
            var end = p.IndexOf('/', start);
            p = string.Concat(p.AsSpan(0, start), Hidden, end < 0 ? "" : p.AsSpan(end));
            break;
        }
        if (!query.HasValue) return p;
        var sb = new StringBuilder(p);
        var first = true;
        foreach (var pair in new QueryStringEnumerable(query.Value))
        {
            sb.Append(first ? '?' : '&');
            first = false;
            var name = pair.DecodeName().ToString();
            sb.Append(pair.EncodedName);
            sb.Append('=');
            sb.Append(SecretQueryNames.Contains(name) ? Hidden : pair.EncodedValue);
        }
        return sb.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} → {Status} in {Milliseconds:0.0} ms")]
    private static partial void Finished(ILogger log, string method, string path, int status, double milliseconds);
}
