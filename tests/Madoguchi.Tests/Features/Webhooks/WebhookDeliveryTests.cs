using System.Text;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Webhooks;

/// <summary>Delivery to a real receiver: signatures, retries on the fake clock, giving up, leases, the outbox's transaction.</summary>
public sealed class WebhookDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("storage", "true")]
    public async Task A_receiver_failing_twice_gets_the_event_on_the_third_attempt_with_a_valid_signature_and_a_replay_is_rejected()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        await using var receiver = await Receiver.StartAsync(n => n <= 2 ? 500 : 200, app.Clock);
        var setup = await WebhookKit.ProcedureAsync(app);
        var endpoint = await WebhookKit.EndpointAsync(app, setup, receiver.Url);
        var eventId = await WebhookKit.RaiseAsync(app, setup);
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
        var first = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookDeliveryStatus.Pending, first.Status);
        // About a minute later (±10% jitter), not before.
        Assert.InRange(first.NextAttemptAt!.Value - app.Clock.GetUtcNow(), TimeSpan.FromSeconds(54), TimeSpan.FromSeconds(66));
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await dispatcher.RunDueAsync(Ct));

        app.Clock.Set(first.NextAttemptAt.Value);
        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
        var second = await WebhookKit.SingleAsync(app);
        Assert.InRange(second.NextAttemptAt!.Value - app.Clock.GetUtcNow(), TimeSpan.FromSeconds(108), TimeSpan.FromSeconds(132));

        app.Clock.Set(second.NextAttemptAt.Value);
        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
        var done = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookDeliveryStatus.Delivered, done.Status);
        Assert.Equal(3, done.Attempts);
        Assert.Null(done.NextAttemptAt);
        Assert.Equal([500, 500, 200], done.AttemptLog.OrderBy(a => a.Number).Select(a => a.StatusCode ?? 0));
        Assert.Equal([1, 2, 3], done.AttemptLog.OrderBy(a => a.Number).Select(a => a.Number));
        Assert.Equal(0, await dispatcher.RunDueAsync(Ct));

        var requests = receiver.Requests;
        Assert.Equal(3, requests.Count);
        foreach (var r in requests)
        {
            // Each attempt is signed at its own time, over the same body, under the same event id.
            Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(endpoint.Secret, r.Timestamp, r.Signature, r.Body, r.At));
            Assert.Equal(eventId.ToString(), r.Id);
            Assert.Equal(WebhookEvents.CaseCreated, r.EventType);
            Assert.Equal(r.At.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), r.Timestamp);
            Assert.Equal(requests[0].Body, r.Body);
            Assert.StartsWith("application/json", r.ContentType);
        }
        var body = JsonNode.Parse(requests[2].Body)!;
        Assert.Equal(eventId.ToString(), body["id"]!.GetValue<string>());
        Assert.Equal("case.created", body["type"]!.GetValue<string>());
        Assert.Equal("2025-04-01T09:00:00+09:00", body["createdAt"]!.GetValue<string>());
        Assert.Equal("受付", body["data"]!["status"]!.GetValue<string>());
        Assert.Contains("\"status\":\"受付\"", Encoding.UTF8.GetString(requests[2].Body));

        // The same request again 6 minutes later is refused; so is a changed body or another secret.
        var last = requests[2];
        Assert.Equal(WebhookVerification.OutsideTolerance, WebhookSignature.Verify(endpoint.Secret, last.Timestamp, last.Signature, last.Body, last.At.AddMinutes(6)));
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(last.Body).Replace("受付", "交付", StringComparison.Ordinal));
        Assert.Equal(WebhookVerification.BadSignature, WebhookSignature.Verify(endpoint.Secret, last.Timestamp, last.Signature, tampered, last.At));
        Assert.Equal(WebhookVerification.BadSignature, WebhookSignature.Verify(WebhookSignature.NewSecret(), last.Timestamp, last.Signature, last.Body, last.At));
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_retried_with_growing_waits_for_24_hours_then_the_delivery_fails_for_good()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        await using var receiver = await Receiver.StartAsync(_ => 503, app.Clock);
        var setup = await WebhookKit.ProcedureAsync(app);
        await WebhookKit.EndpointAsync(app, setup, receiver.Url);
        await WebhookKit.RaiseAsync(app, setup, WebhookEvents.CaseStatusChanged, new { caseId = "c-1", from = "受付", to = "審査中" });
        var created = app.Clock.GetUtcNow();
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();

        WebhookDelivery d;
        var rounds = 0;
        while (true)
        {
            Assert.Equal(1, await dispatcher.RunDueAsync(Ct));
            d = await WebhookKit.SingleAsync(app);
            if (d.Status != WebhookDeliveryStatus.Pending) break;
            app.Clock.Set(d.NextAttemptAt!.Value);
            Assert.True(++rounds < 100, "never gave up");
        }

        Assert.Equal(WebhookDeliveryStatus.Failed, d.Status);
        Assert.Null(d.NextAttemptAt);
        var times = d.AttemptLog.OrderBy(a => a.Number).Select(a => a.At).ToList();
        Assert.Equal(d.Attempts, times.Count);
        Assert.Equal(times.Count, receiver.Requests.Count);
        Assert.All(d.AttemptLog, a => Assert.Equal(503, a.StatusCode));
        // Waits double from about a minute and stop growing at about an hour.
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMinutes).ToList();
        Assert.InRange(gaps[0], 0.9, 1.1);
        Assert.InRange(gaps[1], 1.8, 2.2);
        Assert.InRange(gaps[2], 3.6, 4.4);
        Assert.All(gaps, g => Assert.True(g <= 66, $"wait of {g} min"));
        Assert.InRange(gaps[^1], 54, 66);
        // Tried until the end of the window, never after it.
        Assert.InRange(times[^1] - created, TimeSpan.FromHours(22.5), TimeSpan.FromHours(24));
        Assert.InRange(times.Count, 25, 35);
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await dispatcher.RunDueAsync(Ct));
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task Two_dispatchers_on_one_database_never_send_the_same_attempt_twice()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        await using var receiver = await Receiver.StartAsync(_ => 200, app.Clock, delay: TimeSpan.FromMilliseconds(20));
        var setup = await WebhookKit.ProcedureAsync(app);
        await WebhookKit.EndpointAsync(app, setup, receiver.Url);
        var events = new List<Guid>();
        for (var i = 0; i < 40; i++) events.Add(await WebhookKit.RaiseAsync(app, setup, data: new { caseId = $"c-{i}" }));
        // Two instances share nothing but the database.
        var a = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);
        var b = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);

        var sent = await Task.WhenAll(a.RunDueAsync(Ct), b.RunDueAsync(Ct), a.RunDueAsync(Ct), b.RunDueAsync(Ct));

        Assert.Equal(40, sent.Sum());
        Assert.Equal(40, receiver.Requests.Count);
        Assert.Equal(events.Select(e => e.ToString()).Order(), receiver.Requests.Select(r => r.Id!).Order());
        var deliveries = await WebhookKit.DeliveriesAsync(app);
        Assert.All(deliveries, d =>
        {
            Assert.Equal(WebhookDeliveryStatus.Delivered, d.Status);
            Assert.Equal(1, d.Attempts);
            Assert.Single(d.AttemptLog);
            Assert.Null(d.LeaseToken);
        });
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task The_event_is_written_only_when_the_callers_transaction_commits_and_only_for_endpoints_that_want_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        var setup = await WebhookKit.ProcedureAsync(app);
        var both = await WebhookKit.EndpointAsync(app, setup, "https://kikan.example.lg.jp/hook");
        await WebhookKit.EndpointAsync(app, setup, "https://status-only.example.lg.jp/hook", WebhookEvents.CaseStatusChanged);
        var other = await WebhookKit.ProcedureAsync(app, "KT-WH-2");
        await WebhookKit.EndpointAsync(app, other, "https://other.example.lg.jp/hook");

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<WebhookOutbox>();
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            var procedure = await db.Procedures.FirstAsync(p => p.Id == setup.Procedure.Id, Ct);
            procedure.Name = "転入届（変更）";
            await outbox.AddAsync(db, setup.Procedure.Id, WebhookEvents.CaseCreated, new { caseId = "rolled-back" }, Ct);
            await db.SaveChangesAsync(Ct);
            await tx.RollbackAsync(Ct);
        }
        Assert.Empty(await WebhookKit.DeliveriesAsync(app));

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await scope.ServiceProvider.GetRequiredService<WebhookOutbox>().AddAsync(db, setup.Procedure.Id, WebhookEvents.CaseCreated, new { caseId = "committed" }, Ct);
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);
        }
        var created = Assert.Single(await WebhookKit.DeliveriesAsync(app));
        Assert.Equal(both.Endpoint.Id, created.EndpointId);
        Assert.Contains("\"caseId\":\"committed\"", created.Payload);

        // A status change goes to both endpoints of the procedure, under one event id.
        await WebhookKit.RaiseAsync(app, setup, WebhookEvents.CaseStatusChanged);
        var changed = (await WebhookKit.DeliveriesAsync(app)).Where(d => d.EventType == WebhookEvents.CaseStatusChanged).ToList();
        Assert.Equal(2, changed.Count);
        Assert.Single(changed.Select(d => d.EventId).Distinct());

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var wrong = await Assert.ThrowsAsync<ArgumentException>(() => scope.ServiceProvider.GetRequiredService<WebhookOutbox>().AddAsync(db, setup.Procedure.Id, "case.deleted", new { }, Ct));
            Assert.Contains("case.deleted", wrong.Message);
        }
    }

    [Fact]
    public async Task A_deactivated_endpoint_gets_nothing_more_and_its_secret_is_deleted()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        await using var receiver = await Receiver.StartAsync(_ => 200, app.Clock);
        var setup = await WebhookKit.ProcedureAsync(app);
        var created = await WebhookKit.EndpointAsync(app, setup, receiver.Url);
        await WebhookKit.RaiseAsync(app, setup);

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var endpoint = await db.WebhookEndpoints.SingleAsync(Ct);
            Assert.True(await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().DeactivateAsync(endpoint, setup.Department.Id, "test", Ct));
            Assert.False(await db.ProtectedValues.AnyAsync(v => v.OwnerId == created.Endpoint.Id.ToString(), Ct));
        }
        await WebhookKit.RaiseAsync(app, setup);

        Assert.Equal(0, await app.Services.GetRequiredService<WebhookDispatcher>().RunDueAsync(Ct));
        Assert.Empty(receiver.Requests);
        Assert.Equal(WebhookDeliveryStatus.Failed, (await WebhookKit.SingleAsync(app)).Status);
    }
    [Fact]
    public async Task The_running_apps_background_dispatcher_sends_an_event_without_being_asked()
    {
        var settings = WebhookKit.Settings();
        settings["Madoguchi:Webhooks:PollSeconds"] = "1";
        await using var app = await MadoguchiFactory.CreateAsync(settings);
        await using var receiver = await Receiver.StartAsync(_ => 204, app.Clock);
        var setup = await WebhookKit.ProcedureAsync(app);
        var endpoint = await WebhookKit.EndpointAsync(app, setup, receiver.Url);

        var eventId = await WebhookKit.RaiseAsync(app, setup);

        // Real time here: the loop polls every second.
        for (var i = 0; i < 200 && (await WebhookKit.SingleAsync(app)).Status == WebhookDeliveryStatus.Pending; i++) await Task.Delay(100, Ct);
        var d = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookDeliveryStatus.Delivered, d.Status);
        Assert.Equal(204, Assert.Single(d.AttemptLog).StatusCode);
        var r = Assert.Single(receiver.Requests);
        Assert.Equal(eventId.ToString(), r.Id);
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(endpoint.Secret, r.Timestamp, r.Signature, r.Body, app.Clock.GetUtcNow()));
    }
}
