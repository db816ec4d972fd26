using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Madoguchi.Web.Features.Audit;

/// <summary>
/// The "viewed" entry of a page of personal data that is still committing while the page renders (see
/// <see cref="AuditTrail.ViewWhileRenderingAsync"/>). <see cref="HeldResponseFilter"/> writes the page to
/// memory and sends it only once the entry is committed; if the entry fails, nothing of the page has
/// left, the error propagates and the app's error page answers 500.
/// </summary>
public sealed class HeldResponse(Task entry)
{
    public Task Entry { get; } = entry;

    public static void Hold(HttpContext context, Task entry)
    {
        if (context.Features.Get<HeldResponse>() is not null) throw new InvalidOperationException("One audited view per request is held.");
        context.Features.Set(new HeldResponse(entry));
    }
}

/// <summary>Renders a page whose view entry is held (<see cref="HeldResponse"/>) to memory, and sends it once the entry is committed.</summary>
public sealed class HeldResponseFilter : IAsyncAlwaysRunResultFilter
{
    // About a ledger page (45–50 KB); the stream grows for a larger one.
    private const int InitialCapacity = 64 * 1024;

    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (http.Features.Get<HeldResponse>() is not { } held)
        {
            await next();
            return;
        }
        // Released once: the error page that a failed entry leads to is not held again.
        http.Features.Set<HeldResponse>(null);
        var original = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream(InitialCapacity);
        var memory = new StreamResponseBodyFeature(buffer);
        http.Features.Set<IHttpResponseBodyFeature>(memory);
        try
        {
            await next();
            await memory.CompleteAsync();
        }
        catch
        {
            // The page failed: what it wrote stays here; the entry is awaited only so that its own error is observed.
            http.Features.Set(original);
            await held.Entry.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        // The real body is back before the entry is awaited: the error page of a failed entry writes to it.
        http.Features.Set(original);
        await held.Entry;
        http.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(original.Stream, http.RequestAborted);
    }
}
