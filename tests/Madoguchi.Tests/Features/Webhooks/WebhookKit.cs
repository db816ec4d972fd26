using System.Collections.Concurrent;
using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Madoguchi.Tests.Features.Webhooks;

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel, a port of its own) that answers each request with
/// the status the test plans for it and keeps what it received, stamped with the app's fake clock.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    public sealed record Received(int Number, string? Id, string? EventType, string? Timestamp, string? Signature, string ContentType, byte[] Body, DateTimeOffset At);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private int _count;

    public string Url { get; private set; } = "";
    public IReadOnlyList<Received> Requests => [.. _received.OrderBy(r => r.Number)];

    private Receiver(WebApplication app) => _app = app;

    /// <param name="status">The status for the n-th request (1-based).</param>
    public static async Task<Receiver> StartAsync(Func<int, int> status, TimeProvider clock, TimeSpan? delay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            var n = Interlocked.Increment(ref receiver._count);
            var h = ctx.Request.Headers;
            receiver._received.Enqueue(new Received(n, h[WebhookSignature.IdHeader], h[WebhookSignature.TypeHeader], h[WebhookSignature.TimestampHeader],
                h[WebhookSignature.SignatureHeader], ctx.Request.ContentType ?? "", ms.ToArray(), clock.GetUtcNow()));
            if (delay is { } d) await Task.Delay(d);
            ctx.Response.StatusCode = status(n);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A procedure with one endpoint at a receiver, on an app whose dispatcher loop is off (the test runs it).</summary>
public static class WebhookKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>No background loop (tests call the dispatcher with the fake clock); http to 127.0.0.1 allowed.</summary>
    public static Dictionary<string, string?> Settings(bool allowHttp = true) => new()
    {
        ["Madoguchi:Webhooks:PollSeconds"] = "0",
        ["Madoguchi:Webhooks:AllowHttpPrivate"] = allowHttp ? "true" : "false",
    };

    public sealed record Setup(Department Department, Procedure Procedure);

    public static async Task<Setup> ProcedureAsync(MadoguchiFactory app, string code = "KT-WH-1")
    {
        var department = Builders.Department("区民部", "戸籍住民課", code);
        var procedure = Builders.Procedure(code, department, p => p.Name = "転入届");
        await app.SaveAsync(department, procedure);
        return new Setup(department, procedure);
    }

    public static async Task<WebhookEndpoints.Created> EndpointAsync(MadoguchiFactory app, Setup setup, string url, params string[] events)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().CreateAsync(setup.Procedure.Id, setup.Department.Id, url,
            events.Length == 0 ? [.. WebhookEvents.All] : events, "テスト受信", "test", Ct);
    }

    /// <summary>What the case ledger will do: add the event in the same SaveChanges as its change.</summary>
    public static async Task<Guid> RaiseAsync(MadoguchiFactory app, Setup setup, string type = WebhookEvents.CaseCreated, object? data = null)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var id = await scope.ServiceProvider.GetRequiredService<WebhookOutbox>().AddAsync(db, setup.Procedure.Id, type,
            data ?? new { caseId = "c-0001", receiptNumber = "1234-5678-9012", status = "受付" }, Ct);
        await db.SaveChangesAsync(Ct);
        return id;
    }

    public static async Task<List<WebhookDelivery>> DeliveriesAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.AttemptLog).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(Ct);
    }

    public static async Task<WebhookDelivery> SingleAsync(MadoguchiFactory app) => Assert.Single(await DeliveriesAsync(app));
}
