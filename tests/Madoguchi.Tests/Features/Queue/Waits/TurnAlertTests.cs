using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Queue.Waits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Madoguchi.Tests.Features.Queue.QueueKit;
using Smtp = Madoguchi.Tests.Features.Submissions.MailTests.Smtp;

namespace Madoguchi.Tests.Features.Queue.Waits;

public sealed class TurnAlertTests
{
    private const string Origin = "https://madoguchi.city.example.jp";

    [Fact]
    public async Task The_near_mail_arrives_once_when_the_queue_moves_to_n_ahead_and_not_before()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        var q = await app.SetupAsync(counters: 1);
        await app.AssignAsync(q.Counters[0], q.Service);
        for (var i = 0; i < 4; i++) await app.IssueAsync(q);
        var mine = await app.IssueAsync(q); // 2004, four ahead
        using var client = app.CreatePlainClient();
        var page = $"/queue/tickets/{mine.StatusToken}";
        Assert.Contains("順番が近づいたらメールでお知らせ", await client.GetStringAsync(page, Ct));

        // Wrong input is explained next to the field, nothing is stored.
        var bad = await MadoguchiFactory.PostFormAsync(client, page + "?handler=Alert", new() { ["Form.Email"] = "hanako@example.jp", ["Form.Ahead"] = "25" }, page);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("人数は1から20までの数字で入力してください", await bad.Content.ReadAsStringAsync(Ct));

        var set = await MadoguchiFactory.PostFormAsync(client, page + "?handler=Alert", new() { ["Form.Email"] = "hanako@example.jp", ["Form.Ahead"] = "２" }, page);
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        var shown = await client.GetStringAsync(page, Ct);
        Assert.Contains("お知らせメールを受け付けました。", shown);
        Assert.Contains("h***@example.jp", shown);
        Assert.DoesNotContain("hanako@example.jp", shown);
        await using (var scope = app.Scope())
        {
            // Stored encrypted in the vault, not in the alert row.
            var db = scope.Db();
            Assert.Equal(1, await db.ProtectedValues.CountAsync(v => v.OwnerType == TurnAlerts.OwnerType, Ct));
            Assert.False(await db.TurnAlerts.AnyAsync(a => a.MaskedEmail.Contains("hanako"), Ct));
        }

        // The first call leaves three ahead: no mail yet.
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        await Task.Delay(500, Ct);
        Assert.Equal(0, smtp.Pending);

        // The second leaves two ahead: the mail goes.
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        var mail = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", mail.To.ToString());
        Assert.Equal("2004番の方、まもなく順番です", mail.Subject);
        Assert.Contains("2004番の前の方は、あと2人です。", mail.TextBody);
        Assert.Contains($"{Origin}/queue/tickets/{mine.StatusToken}", mail.TextBody);

        // Further moves, up to its own call, send nothing more; the address is gone from the vault.
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        await app.OpsAsync(ops => ops.CompleteAsync(q.Counters[0].Id, "test", Ct));
        var called = await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        Assert.Equal(2004, called!.Ticket.Number);
        await Task.Delay(500, Ct);
        Assert.Equal(0, smtp.Pending);
        await using (var scope = app.Scope())
        {
            Assert.Equal(0, await scope.Db().ProtectedValues.CountAsync(v => v.OwnerType == TurnAlerts.OwnerType, Ct));
        }
        Assert.Contains("お知らせメールを送りました。", await client.GetStringAsync(page, Ct));
    }

    [Fact]
    public async Task A_ticket_called_before_reaching_n_gets_the_call_mail_in_its_language_and_past_days_addresses_are_deleted()
    {
        await using var smtp = await Smtp.StartAsync();
        await using var app = await MadoguchiFactory.CreateAsync(smtp.Settings(Origin));
        var q = await app.SetupAsync(counters: 1);
        await app.AssignAsync(q.Counters[0], q.Service);
        var mine = await app.IssueAsync(q);
        await app.IssueAsync(q);
        await using (var scope = app.Scope())
        {
            var alerts = scope.ServiceProvider.GetRequiredService<TurnAlerts>();
            await alerts.SetAsync(mine.StatusToken, "taro@example.jp", "1", "en", Ct);
            // Nobody is ahead already, but no mail goes before the queue moves.
        }
        await Task.Delay(300, Ct);
        Assert.Equal(0, smtp.Pending);
        await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct));
        var mail = await smtp.NextAsync();
        Assert.Equal("Number 2000: you are being called", mail.Subject);
        Assert.Contains("counter 1", mail.TextBody);

        // Tomorrow: an alert that never went (its ticket left unserved) is deleted with its address.
        var other = await app.IssueAsync(q);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<TurnAlerts>().SetAsync(other.StatusToken, "jiro@example.jp", "1", "ja", Ct);
        }
        app.Clock.Advance(TimeSpan.FromDays(1));
        await app.AssignAsync(q.Counters[0], q.Service);
        await app.IssueAsync(q);
        Assert.NotNull(await app.OpsAsync(ops => ops.CallNextAsync(q.Counters[0].Id, "test", null, Ct)));
        await using (var scope = app.Scope())
        {
            Assert.Equal(0, await scope.Db().ProtectedValues.CountAsync(v => v.OwnerType == TurnAlerts.OwnerType, Ct));
            Assert.Equal(0, await scope.Db().TurnAlerts.CountAsync(Ct));
        }
    }
}
