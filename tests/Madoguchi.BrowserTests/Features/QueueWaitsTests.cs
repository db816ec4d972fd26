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
/// Issue 10 in a browser: a resident asks on the ticket's status page for the "your turn is near"
/// e-mail (a mistake first, then a good address), and staff open the accuracy report. Axe on each state.
/// </summary>
public sealed class QueueWaitsTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_turn_alert_form_and_the_accuracy_page_are_accessible()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = SmtpCapture.Start();
        await using var app = await AppServer.StartAsync(smtp.Settings);
        Guid office;
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var main = new Office { Name = "江東区役所 本庁舎", NameEn = "Koto City Hall", Kind = OfficeKind.MainOffice, Address = "東京都江東区東陽4-11-28" };
            db.Offices.Add(main);
            QueueDemo.Add(db, [main]);
            await db.SaveChangesAsync(ct);
            office = main.Id;
            var service = await db.QueueServices.Where(s => s.Name == "転入").Select(s => s.Id).SingleAsync(ct);
            var issuer = scope.ServiceProvider.GetRequiredService<TicketIssuer>();
            await issuer.IssueAsync(office, service, new IssueRequest(), "発券機", ct);
            token = (await issuer.IssueAsync(office, service, new IssueRequest(), "発券機", ct)).Ticket.StatusToken;
        }

        await using var phone = await browser.OpenAsync(width: 375, height: 812);
        var page = phone.Page;
        await page.GotoAsync(app.Url($"/queue/tickets/{token}"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "順番が近づいたらメールでお知らせ" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await page.GetByLabel("メールアドレス").FillAsync("hanako@");
        await page.GetByLabel("前の人数が何人以下になったら知らせるか").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "メールでのお知らせを申し込む" }).ClickAsync();
        await Expect(page.Locator(".dads-error-summary")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("メールアドレス")).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertAccessibleAsync(page);

        await page.GetByLabel("メールアドレス").FillAsync("hanako@example.jp");
        await page.GetByRole(AriaRole.Button, new() { Name = "メールでのお知らせを申し込む" }).ClickAsync();
        await Expect(page.GetByText("お知らせメールを受け付けました。")).ToBeVisibleAsync();
        await Expect(page.GetByText("h***@example.jp")).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await using var desk = await browser.OpenAsync();
        var s = desk.Page;
        await SignInPage.SignInAsync(s, app, Roles.Counter);
        await s.GotoAsync(app.Url($"/staff/queue/accuracy?office={office}"));
        await Expect(s.Locator("table.dads-table tr[data-service=all]")).ToContainTextAsync("合計");
        await Axe.AssertAccessibleAsync(s);
    }
}
