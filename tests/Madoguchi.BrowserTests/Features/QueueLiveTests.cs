using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// Issue 9's journey: a ticket from the kiosk appears on the public page open in another browser
/// without a reload; the number search gives its position; staff call it from the console; the lobby
/// display and the ticket's status page follow. Every page visited passes axe.
/// </summary>
public sealed class QueueLiveTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_kiosk_ticket_goes_live_to_the_public_page_and_a_call_from_the_console_reaches_the_display_and_the_status_page()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        Guid office, service;
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var main = new Office { Name = "江東区役所 本庁舎", NameEn = "Koto City Hall", Kind = OfficeKind.MainOffice, Address = "東京都江東区東陽4-11-28" };
            db.Offices.Add(main);
            QueueDemo.Add(db, [main]);
            await db.SaveChangesAsync(ct);
            office = main.Id;
            service = await db.QueueServices.Where(s => s.Name == "転入").Select(s => s.Id).SingleAsync(ct);
            token = (await scope.ServiceProvider.GetRequiredService<KioskDevices>().RegisterAsync(office, "1階発券機", ct)).Token;
            // The office was added to a running app: tell the live layer, as any change to a queue does.
            await scope.ServiceProvider.GetRequiredService<IQueueNotifier>().OfficeChangedAsync(office, ct);
        }

        // A resident watches the office's public page at home.
        await using var home = await browser.OpenAsync(width: 375, height: 812);
        var pub = home.Page;
        await pub.GotoAsync(app.Url($"/queue/offices/{office}"));
        var row = pub.Locator($"tr[data-service='{service}']");
        await Expect(row.Locator("[data-live=waiting]")).ToHaveTextAsync("0");
        await Axe.AssertAccessibleAsync(pub);

        // The kiosk in the lobby: registered once with its device token, then two tickets for 転入.
        await using var lobby = await browser.OpenAsync();
        var k = lobby.Page;
        await k.GotoAsync(app.Url("/kiosk"));
        await Axe.AssertAccessibleAsync(k);
        await k.GetByLabel("発券機のトークン").FillAsync(token);
        await k.GetByRole(AriaRole.Button, new() { Name = "登録する" }).ClickAsync();
        var issue = k.Locator($"form:has(input[name=service][value='{service}']) button");
        await issue.ClickAsync();
        await Expect(k.GetByTestId("ticket-number")).ToHaveTextAsync("2000");
        await Axe.AssertAccessibleAsync(k);
        await k.GotoAsync(app.Url("/kiosk"));
        await issue.ClickAsync();
        await Expect(k.GetByTestId("ticket-number")).ToHaveTextAsync("2001");
        await Expect(k.GetByTestId("ticket-ahead")).ToHaveTextAsync("1");

        // The public page counted both without a reload.
        await Expect(row.Locator("[data-live=waiting]")).ToHaveTextAsync("2");
        // The number search says 2001 has one person ahead.
        await pub.Locator("#number").FillAsync("2001");
        await pub.Locator("form:has(#number) button[type=submit]").ClickAsync();
        await Expect(pub.Locator("[data-live=ahead]")).ToHaveTextAsync("1");
        await Axe.AssertAccessibleAsync(pub);

        // The first ticket's own status page (the slip's QR code) and the lobby display are open.
        string first;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            first = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Tickets.Where(t => t.Number == 2000).Select(t => t.StatusToken).SingleAsync(ct);
        }
        await using var phone = await browser.OpenAsync(width: 375, height: 812);
        var ticket = phone.Page;
        await ticket.GotoAsync(app.Url($"/queue/tickets/{first}"));
        await Expect(ticket.Locator("[data-live=position]")).ToHaveAttributeAsync("data-state", "Waiting");
        await Axe.AssertAccessibleAsync(ticket);
        await using var screen = await browser.OpenAsync();
        var display = screen.Page;
        await display.GotoAsync(app.Url($"/queue/offices/{office}/display"));
        await Axe.AssertAccessibleAsync(display);

        // Counter staff take counter 1 for 転入 and call the next ticket.
        await using var desk = await browser.OpenAsync();
        var s = desk.Page;
        await SignInPage.SignInAsync(s, app, Roles.Counter);
        await s.GotoAsync(app.Url("/staff/queue/console"));
        await s.GetByLabel("窓口", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "江東区役所 本庁舎 1番窓口" });
        await s.GetByRole(AriaRole.Button, new() { Name = "この窓口を開く" }).ClickAsync();
        await s.GetByLabel("転入（2000〜2299）", new() { Exact = true }).CheckAsync();
        await s.GetByRole(AriaRole.Button, new() { Name = "担当を設定する" }).ClickAsync();
        await s.GetByRole(AriaRole.Button, new() { Name = "次の方を呼ぶ" }).ClickAsync();
        await Expect(s.GetByTestId("current-number")).ToHaveTextAsync("2000");
        await Axe.AssertAccessibleAsync(s);

        // Everyone sees the call without reloading.
        await Expect(display.Locator("[data-live=latest]")).ToContainTextAsync("2000");
        await Expect(ticket.Locator("[data-live=position]")).ToHaveAttributeAsync("data-state", "Called");
        await Expect(row.Locator("[data-live=serving]")).ToHaveTextAsync("2000");
        await Expect(row.Locator("[data-live=waiting]")).ToHaveTextAsync("1");
        await Expect(pub.Locator("[data-live=ahead]")).ToHaveTextAsync("0");
        await Axe.AssertAccessibleAsync(display);
        await Axe.AssertAccessibleAsync(ticket);
    }
}
