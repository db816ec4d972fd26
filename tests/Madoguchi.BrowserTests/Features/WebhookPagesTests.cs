using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>An admin registers a webhook, sees the secret once, and reads the delivery log; every page passes axe.</summary>
public sealed class WebhookPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_admin_registers_an_endpoint_and_reads_the_delivery_log_and_both_pages_are_accessible()
    {
        var ct = TestContext.Current.CancellationToken;
        // Port 9 (discard) on loopback refuses the connection: every attempt fails and is logged.
        await using var app = await AppServer.StartAsync(new Dictionary<string, string?> { ["Madoguchi:Webhooks:AllowHttpPrivate"] = "true", ["Madoguchi:Webhooks:PollSeconds"] = "1" });
        Guid procedureId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var p = new Procedure { Code = "KT-B-WH", Name = "ブラウザテスト手続", Layout = InventoryLayout.Municipal, OnlineEligible = true, ProcedureType = "申請", Actor = "個人" };
            db.Procedures.Add(p);
            await db.SaveChangesAsync(ct);
            procedureId = p.Id;
        }
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Admin);

        await page.GotoAsync(app.Url($"/staff/inventory/{procedureId}"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhook（外部システムへの通知）" }).ClickAsync();
        await Axe.AssertAccessibleAsync(page);
        await page.GetByLabel("送信先の URL").FillAsync("http://127.0.0.1:9/hook");
        await page.GetByRole(AriaRole.Button, new() { Name = "登録して秘密鍵を表示する" }).ClickAsync();
        await Expect(page.GetByTestId("new-secret")).ToContainTextAsync("whsec_");
        await Axe.AssertAccessibleAsync(page);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await scope.ServiceProvider.GetRequiredService<WebhookOutbox>().AddAsync(db, procedureId, WebhookEvents.CaseCreated, new { caseId = "b-1" }, ct);
            await db.SaveChangesAsync(ct);
            for (var i = 0; i < 100 && !await db.WebhookAttempts.AnyAsync(ct); i++) await Task.Delay(100, ct);
        }
        await page.GetByRole(AriaRole.Link, new() { Name = "配信の記録と再送" }).ClickAsync();
        await Expect(page.GetByTestId("attempt-result").First).ToContainTextAsync("応答なし");
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "再送" }).First.ClickAsync();
        await Expect(page.GetByTestId("notice")).ToContainTextAsync("再送を受け付けました");
        await Axe.AssertAccessibleAsync(page);
    }
}
