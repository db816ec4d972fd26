using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Features.Webhooks;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>The ledger raises its webhooks (issue 8): case.created with the submission, case.status_changed with each status change.</summary>
public sealed class CaseWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_submission_and_its_status_changes_queue_signed_events_without_answers()
    {
        await using var app = await MadoguchiFactory.CreateAsync(WebhookKit.Settings());
        var setup = await WebhookKit.ProcedureAsync(app, "KT-T0001");
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(SubmissionKit.FormJson, "KT-T0001", "test", Ct);
            await forms.PublishAsync(SubmissionKit.Slug, "test", Ct);
        }
        await WebhookKit.EndpointAsync(app, setup, "http://127.0.0.1:9/hook");
        using (var client = app.CreatePlainClient())
        {
            using var r = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        var created = await WebhookKit.SingleAsync(app);
        Assert.Equal(WebhookEvents.CaseCreated, created.EventType);
        var body = JsonNode.Parse(created.Payload)!;
        Assert.Equal("received", body["data"]!["status"]!.GetValue<string>());
        Assert.Equal("online", body["data"]!["channel"]!.GetValue<string>());
        // Times in Japan time, in the data as in createdAt (docs/webhooks.md).
        Assert.EndsWith("+09:00", body["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("+09:00", body["data"]!["receivedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("山田", created.Payload);

        await using (var scope = app.Scope())
        {
            var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
            var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test"));
            var id = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Select(c => c.Id).SingleAsync(Ct);
            var c = (await cases.FindAsync(admin, id, Ct))!;
            Assert.IsType<CaseChange.Done>(await cases.ChangeStatusAsync(c, CaseWorkflow.Reviewing, new CaseActor("s", "職員"), null, Ct));
            // A refused change announces nothing.
            Assert.IsType<CaseChange.Refused>(await cases.ChangeStatusAsync(c, CaseWorkflow.Received, new CaseActor("s", "職員"), null, Ct));
        }
        var all = await WebhookKit.DeliveriesAsync(app);
        Assert.Equal([WebhookEvents.CaseCreated, WebhookEvents.CaseStatusChanged], all.Select(d => d.EventType));
        var changed = JsonNode.Parse(all[1].Payload)!["data"]!;
        Assert.Equal(("received", "reviewing"), (changed["previousStatus"]!.GetValue<string>(), changed["status"]!.GetValue<string>()));
    }
}
