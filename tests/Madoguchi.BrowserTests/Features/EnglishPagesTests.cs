using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// A foreign resident reads the public pages in English on a phone. Much of what they show exists only
/// in Japanese (office, department and procedure names, untranslated labels): each such text must be
/// marked lang="ja" (WCAG 3.1.2) so that a screen reader switches voice, and page wording (※任意, 和暦
/// dates, 円) must be in English. Every page is scanned (axe and the language check of
/// <see cref="Axe"/>); the problems of all pages are reported together. Pages: home, KPI, queue, an office,
/// booking (with its errors) and the reservation, a ticket, the kiosk and its slip, three forms' start and
/// first pages (with errors), one form to the end (check, receipt, status) and a 補正 request.
/// </summary>
public sealed class EnglishPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task Every_residents_page_in_english_marks_the_japanese_it_shows_and_words_the_rest_in_english()
    {
        await using var app = await AppServer.StartAsync();
        await app.LoadDemoAsync();
        await using var phone = await browser.OpenAsync(width: 375, height: 812);
        var p = phone.Page;
        var problems = new List<string>();
        async Task ScanAsync()
        {
            Assert.Equal("en", await LanguageSelector.HtmlLangAsync(p));
            try
            {
                await Axe.AssertAccessibleAsync(p);
            }
            catch (Xunit.Sdk.TrueException e)
            {
                problems.Add(e.Message);
            }
        }

        await p.GotoAsync(app.Url("/"));
        await LanguageSelector.ChooseAsync(p, "English");
        await ScanAsync();
        foreach (var path in new[] { "/kpi", "/kpi?asOf=2025-03-31&year=2025", "/queue", "/reservations", "/forms/resume", "/status", "/no-such-page" })
        {
            await p.GotoAsync(app.Url(path));
            await ScanAsync();
        }

        // An office's live queue, by its link.
        await p.GotoAsync(app.Url("/queue"));
        await p.Locator("main a[href^='/queue/offices/']").First.ClickAsync();
        await ScanAsync();

        // Booking: office, service, date, time, then the details form with a mistake.
        await p.GotoAsync(app.Url("/reservations"));
        await p.Locator("main a[href^='/reservations/']").First.ClickAsync();
        await ScanAsync();
        await p.Locator(".reserve-choices a").First.ClickAsync();
        await ScanAsync();
        await p.Locator(".reserve-choices a").First.ClickAsync();
        await ScanAsync();
        await p.Locator(".reserve-choices a").First.ClickAsync();
        await ScanAsync();
        await p.Locator("main form button[type=submit]").Last.ClickAsync();
        await Expect(p.Locator(".dads-error-summary")).ToBeVisibleAsync();
        await ScanAsync();
        await p.GetByLabel("Name", new() { Exact = false }).First.FillAsync("Anna Smith");
        await p.Locator("input[type=email]").FillAsync("anna@example.jp");
        await p.Locator("main form button[type=submit]").Last.ClickAsync();
        await Expect(p.GetByTestId("reservation-number")).ToBeVisibleAsync();
        await ScanAsync();

        // A ticket's own page, as its QR code opens it.
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var service = await db.QueueServices.OrderBy(x => x.Id).FirstAsync(TestContext.Current.CancellationToken);
            var issuer = scope.ServiceProvider.GetRequiredService<TicketIssuer>();
            token = (await issuer.IssueAsync(service.OfficeId, service.Id, new IssueRequest(), "発券機", TestContext.Current.CancellationToken)).Ticket.StatusToken;
        }
        await p.GotoAsync(app.Url($"/queue/tickets/{token}"));
        await ScanAsync();

        // The kiosk in an office's lobby, switched to English by a visitor: its menu, then a ticket's slip.
        string device;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var office = await db.QueueServices.OrderBy(x => x.Id).Select(x => x.OfficeId).FirstAsync(TestContext.Current.CancellationToken);
            device = (await scope.ServiceProvider.GetRequiredService<KioskDevices>().RegisterAsync(office, "1階発券機", TestContext.Current.CancellationToken)).Token;
        }
        await p.GotoAsync(app.Url("/kiosk"));
        await p.Locator("#token").FillAsync(device);
        await p.Locator("main form button[type=submit]").First.ClickAsync();
        await Expect(p.Locator("form:has(input[name=service]) button").First).ToBeVisibleAsync();
        await ScanAsync();
        await p.Locator("form:has(input[name=service]) button").First.ClickAsync();
        await Expect(p.GetByTestId("ticket-number")).ToBeVisibleAsync();
        await ScanAsync();

        // Each demo form's start page and first page, with the errors of an empty first page.
        foreach (var slug in new[] { "hoikusho-tensho", "riyousho-todoke", "juminhyo-utsushi" })
        {
            await p.GotoAsync(app.Url($"/forms/{slug}"));
            await ScanAsync();
            await p.GetByTestId("start").ClickAsync();
            await ScanAsync();
            await p.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).Last.ClickAsync();
            await Expect(p.Locator(".dads-error-summary")).ToBeVisibleAsync();
            await ScanAsync();
        }

        // The last one to the end: its second page, the check page, the receipt and the status page.
        var form = new FormFillPage(p);
        await form.Field("copies").FillAsync("2");
        await form.Field("purpose").SelectOptionAsync("work");
        await p.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).Last.ClickAsync();
        await Expect(form.Field("requesterName.family")).ToBeVisibleAsync();
        await ScanAsync();
        await form.FillAsync(new Dictionary<string, string>
        {
            ["requesterName.family"] = "Smith",
            ["requesterName.given"] = "Anna",
            ["requesterName.familyKana"] = "スミス",
            ["requesterName.givenKana"] = "アンナ",
            ["postcode"] = "135-8383",
            ["address"] = "東京都江東区東陽4-11-28",
        });
        await form.Field("consent").CheckAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).Last.ClickAsync();
        await Expect(p).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/check$"));
        await ScanAsync();
        await p.Locator("main form button[type=submit]").Last.ClickAsync();
        await Expect(p.Locator("main")).ToContainTextAsync("receipt", new() { IgnoreCase = true });
        await ScanAsync();
        await p.Locator("main a[href^='/status/']").First.ClickAsync();
        await ScanAsync();

        // Staff ask for a correction of two answers (as the case page does; the link's secret is our own,
        // as the mailed one would be): the 補正 page, then with a mistake.
        const string Secret = "0123456789abcdef0123456789abcdef";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var c = await db.Cases.SingleAsync(TestContext.Current.CancellationToken);
            var answers = await db.Submissions.Where(x => x.Id == c.Id).Select(x => x.AnswersJson).SingleAsync(TestContext.Current.CancellationToken);
            var request = new CorrectionRequest { FieldsJson = "[\"copies\",\"requesterName\"]", Message = "通数とお名前を確認してください。", SecretHash = ReceiptNumbers.Hash(Secret), BeforeJson = c.AnswersJson ?? answers };
            var asked = await scope.ServiceProvider.GetRequiredService<CaseService>().RequestCorrectionAsync(c, request, new CaseActor(null, "職員"), TestContext.Current.CancellationToken);
            Assert.IsType<CaseChange.Done>(asked);
        }
        await p.GotoAsync(app.Url($"/corrections/{Secret}"));
        await ScanAsync();
        await form.Field("copies").FillAsync("");
        await p.GetByTestId("send-correction").ClickAsync();
        await Expect(p.Locator(".dads-error-summary")).ToBeVisibleAsync();
        await ScanAsync();

        Assert.True(problems.Count == 0, $"{problems.Count} page(s) with problems:\n\n" + string.Join("\n\n", problems));
    }
}
