using System.Net;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Webhooks;

/// <summary>The staff pages: endpoints with the secret shown once, the delivery log, 再送, and who may use them.</summary>
public sealed partial class WebhookPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("data-testid=\"new-secret\">(whsec_[A-Za-z0-9_-]+)<")]
    private static partial Regex NewSecret();

    [Fact]
    public async Task A_manager_adds_an_endpoint_sees_its_secret_once_and_the_creation_is_audited()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings(allowHttp: false));
        var setup = await WebhookKit.ProcedureAsync(app);
        var manager = await app.SignedInClientAsync(Roles.Manager, setup.Department.Id);
        var url = $"/staff/inventory/{setup.Procedure.Id}/webhooks";

        var http = await MadoguchiFactory.PostFormAsync(manager, url, new() { ["Input.Url"] = "http://127.0.0.1:9/hook", ["Input.Events"] = WebhookEvents.CaseCreated });
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Contains("http の URL は使えません", await http.Content.ReadAsStringAsync(Ct));
        var none = await MadoguchiFactory.PostFormAsync(manager, url, new() { ["Input.Url"] = "https://kikan.example.lg.jp/hook" });
        Assert.Contains("送るイベントを一覧から1つ以上選んでください", await none.Content.ReadAsStringAsync(Ct));

        var created = await MadoguchiFactory.PostFormAsync(manager, url, new() { ["Input.Url"] = "https://kikan.example.lg.jp/hook", ["Input.Events"] = WebhookEvents.CaseCreated, ["Input.Description"] = "基幹システム" });
        var page = await created.Content.ReadAsStringAsync(Ct);
        var secret = NewSecret().Match(page);
        Assert.True(secret.Success, "no secret shown after creation");
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());

        var later = await manager.GetStringAsync(url, Ct);
        Assert.Contains("https://kikan.example.lg.jp/hook", later);
        Assert.DoesNotContain(secret.Groups[1].Value, later);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var endpoint = await db.WebhookEndpoints.SingleAsync(Ct);
        Assert.Equal(WebhookEvents.CaseCreated, endpoint.Events);
        Assert.True(endpoint.Active);
        // Kept encrypted with the key ring, and what the dispatcher signs with is what was shown.
        var stored = await db.ProtectedValues.SingleAsync(v => v.OwnerType == WebhookEndpoints.SecretOwner && v.OwnerId == endpoint.Id.ToString(), Ct);
        Assert.DoesNotContain(secret.Groups[1].Value, System.Text.Encoding.UTF8.GetString(stored.Ciphertext));
        Assert.Equal(secret.Groups[1].Value, await scope.ServiceProvider.GetRequiredService<WebhookSecrets>().ReadAsync(db, endpoint.Id, Ct));
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.WebhookCreated, Ct);
        Assert.Equal(endpoint.Id.ToString(), audit.TargetId);
        Assert.Equal(setup.Department.Id, audit.DepartmentId);
        Assert.DoesNotContain(secret.Groups[1].Value, audit.Detail);
    }

    [Fact]
    public async Task The_delivery_log_shows_each_attempt_and_resending_sends_the_event_again()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        await using var receiver = await Receiver.StartAsync(n => n == 1 ? 500 : 200, app.Clock);
        var setup = await WebhookKit.ProcedureAsync(app);
        var endpoint = await WebhookKit.EndpointAsync(app, setup, receiver.Url);
        var eventId = await WebhookKit.RaiseAsync(app, setup);
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();
        await dispatcher.RunDueAsync(Ct);
        app.Clock.Set((await WebhookKit.SingleAsync(app)).NextAttemptAt!.Value);
        await dispatcher.RunDueAsync(Ct);
        var manager = await app.SignedInClientAsync(Roles.Manager, setup.Department.Id);
        var log = $"/staff/inventory/{setup.Procedure.Id}/webhooks/deliveries";

        var page = await manager.GetStringAsync(log, Ct);
        Assert.Contains(eventId.ToString(), page);
        Assert.Contains("配信済み", page);
        Assert.Equal(2, Regex.Matches(page, "data-testid=\"attempt\"").Count);
        Assert.Contains("HTTP 500", page);
        Assert.Contains("HTTP 200", page);

        var delivery = await WebhookKit.SingleAsync(app);
        var resend = await MadoguchiFactory.PostFormAsync(manager, $"{log}?handler=Redeliver&deliveryId={delivery.Id}", [], getUrl: log);
        Assert.Equal(HttpStatusCode.Redirect, resend.StatusCode);
        Assert.Equal(WebhookDeliveryStatus.Pending, (await WebhookKit.SingleAsync(app)).Status);
        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));

        var again = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookDeliveryStatus.Delivered, again.Status);
        Assert.Equal(3, again.Attempts);
        Assert.True(again.AttemptLog.Single(a => a.Number == 3).Manual);
        Assert.Equal(3, receiver.Requests.Count);
        var resent = receiver.Requests[2];
        Assert.Equal(eventId.ToString(), resent.Id);
        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(endpoint.Secret, resent.Timestamp, resent.Signature, resent.Body, app.Clock.GetUtcNow()));
        Assert.Contains("手動の再送", await manager.GetStringAsync(log, Ct));
        await using var scope = app.Scope();
        var audit = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.SingleAsync(a => a.Action == AuditActions.WebhookRedelivered, Ct);
        Assert.Equal(delivery.Id.ToString(), audit.TargetId);
    }

    [Fact]
    public async Task A_delivery_failed_for_good_is_sent_once_more_by_hand_and_fails_again_without_new_retries()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        await using var receiver = await Receiver.StartAsync(_ => 500, app.Clock);
        var setup = await WebhookKit.ProcedureAsync(app);
        await WebhookKit.EndpointAsync(app, setup, receiver.Url);
        await WebhookKit.RaiseAsync(app, setup);
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();
        await dispatcher.RunDueAsync(Ct);
        // Two days later the window is over: the next failure ends it.
        app.Clock.Advance(TimeSpan.FromDays(2));
        await dispatcher.RunDueAsync(Ct);
        var failed = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookDeliveryStatus.Failed, failed.Status);

        var manager = await app.SignedInClientAsync(Roles.Admin);
        var log = $"/staff/inventory/{setup.Procedure.Id}/webhooks/deliveries";
        Assert.Contains("配信失敗", await manager.GetStringAsync(log, Ct));
        await MadoguchiFactory.PostFormAsync(manager, $"{log}?handler=Redeliver&deliveryId={failed.Id}", [], getUrl: log);
        Assert.Equal(1, await dispatcher.RunDueAsync(Ct));

        var after = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookDeliveryStatus.Failed, after.Status);
        Assert.Equal(3, after.Attempts);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task Another_departments_manager_gets_404_and_staff_without_the_manager_role_are_denied()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        var setup = await WebhookKit.ProcedureAsync(app);
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var created = await WebhookKit.EndpointAsync(app, setup, "https://kikan.example.lg.jp/hook");
        await WebhookKit.RaiseAsync(app, setup);
        var delivery = await WebhookKit.SingleAsync(app);
        var endpoints = $"/staff/inventory/{setup.Procedure.Id}/webhooks";
        var log = endpoints + "/deliveries";

        var other = await app.SignedInClientAsync(Roles.Manager, theirs.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(endpoints, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(log, Ct)).StatusCode);
        // Antiforgery tokens are per user, not per page: taken from the profile page, the posts reach the handlers.
        var deactivate = await MadoguchiFactory.PostFormAsync(other, $"{endpoints}?handler=Deactivate&endpointId={created.Endpoint.Id}", [], getUrl: "/staff/profile");
        var resend = await MadoguchiFactory.PostFormAsync(other, $"{log}?handler=Redeliver&deliveryId={delivery.Id}", [], getUrl: "/staff/profile");
        var add = await MadoguchiFactory.PostFormAsync(other, endpoints, new() { ["Input.Url"] = "https://evil.example.com/hook", ["Input.Events"] = WebhookEvents.CaseCreated }, getUrl: "/staff/profile");
        Assert.Equal(HttpStatusCode.NotFound, deactivate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, resend.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, add.StatusCode);

        foreach (var role in new[] { Roles.Staff, Roles.Dx, Roles.Auditor })
        {
            var client = await app.SignedInClientAsync(role, Roles.NeedsDepartment(role) ? setup.Department.Id : null);
            var response = await client.GetAsync(endpoints, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/staff/denied", response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.PathAndQuery : response.Headers.Location.OriginalString);
        }

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.True((await db.WebhookEndpoints.SingleAsync(Ct)).Active);
            Assert.Equal(1, await db.WebhookEndpoints.CountAsync(Ct));
            Assert.Equal(0, (await db.WebhookDeliveries.SingleAsync(Ct)).Attempts);
            Assert.False(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.WebhookRedelivered || a.Action == AuditActions.WebhookDeactivated, Ct));
        }

        // The department's own manager may deactivate it.
        var owner = await app.SignedInClientAsync(Roles.Manager, setup.Department.Id);
        var done = await MadoguchiFactory.PostFormAsync(owner, $"{endpoints}?handler=Deactivate&endpointId={created.Endpoint.Id}", [], getUrl: endpoints);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Contains("無効にしました", await owner.GetStringAsync(endpoints, Ct));
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            Assert.False((await db.WebhookEndpoints.SingleAsync(Ct)).Active);
            Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.WebhookDeactivated && a.TargetId == created.Endpoint.Id.ToString(), Ct));
        }
    }
}
