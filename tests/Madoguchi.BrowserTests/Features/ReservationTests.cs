using System.Text.RegularExpressions;
using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Queue.Reservations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// Issue 10's booking journey on a 375 px phone: office, service, date and time by links, name and
/// e-mail, the confirmation mail, and the reservation page its link opens (number, QR code, cancel).
/// Every page visited passes axe.
/// </summary>
public sealed class ReservationTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_resident_books_on_a_phone_gets_the_mail_and_opens_the_reservation_page_from_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = SmtpCapture.Start();
        await using var app = await AppServer.StartAsync(smtp.Settings);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            var main = new Office { Name = "江東区役所 本庁舎", NameEn = "Koto City Hall", Kind = OfficeKind.MainOffice, Address = "東京都江東区東陽4-11-28" };
            db.Offices.Add(main);
            // The demo's counters and its plan (weekdays 9:00–12:00, 13:00–16:30): whatever day the test runs, a weekday within 30 days has places.
            QueueDemo.Add(db, [main]);
            await db.SaveChangesAsync(ct);
        }

        await using var phone = await browser.OpenAsync(width: 375, height: 812);
        var p = phone.Page;
        await p.GotoAsync(app.Url("/reservations"));
        await Axe.AssertAccessibleAsync(p);
        await p.GetByRole(AriaRole.Link, new() { Name = "江東区役所 本庁舎" }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "ご用件を選んでください" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(p);
        await p.GetByRole(AriaRole.Link, new() { Name = "転入", Exact = true }).ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "日付を選んでください" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(p);
        await p.Locator(".reserve-choices a").First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "時間を選んでください" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(p);
        await p.Locator(".reserve-choices a").First.ClickAsync();
        await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "お名前と連絡先" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(p);

        // A mistake first: the error summary and the field's message, then the booking.
        await p.GetByRole(AriaRole.Button, new() { Name = "予約する" }).ClickAsync();
        await Expect(p.Locator(".dads-error-summary")).ToContainTextAsync("お名前を入力してください。");
        await Axe.AssertAccessibleAsync(p);
        await p.GetByLabel("お名前").FillAsync("江東 花子");
        await p.GetByLabel("メールアドレス").FillAsync("hanako@example.jp");
        await p.GetByRole(AriaRole.Button, new() { Name = "予約する" }).ClickAsync();
        await Expect(p.GetByText("予約しました。確認メールをお送りしました。")).ToBeVisibleAsync();
        var number = (await p.GetByTestId("reservation-number").InnerTextAsync()).Trim();
        await Expect(p.GetByRole(AriaRole.Img, new() { Name = "予約番号のQRコード" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(p);

        var mail = await smtp.NextAsync();
        Assert.Equal("hanako@example.jp", mail.To.ToString());
        Assert.Contains(number, mail.TextBody);
        var link = Regex.Match(mail.TextBody ?? "", $@"{Regex.Escape(app.BaseUrl)}/reservations/r/[0-9a-f]+").Value;
        Assert.NotEmpty(link);

        // Later, from the mail on another phone: the same reservation, its QR code, and cancelling.
        await using var later = await browser.OpenAsync(width: 375, height: 812);
        var r = later.Page;
        await r.GotoAsync(link);
        await Expect(r.GetByTestId("reservation-number")).ToHaveTextAsync(number);
        await Expect(r.GetByTestId("reservation-status")).ToHaveTextAsync("予約済");
        var qr = await r.Locator(".reserve-qr img").EvaluateAsync<int>("img => img.naturalWidth");
        Assert.True(qr > 0, "the QR code image did not load");
        await Axe.AssertAccessibleAsync(r);
        await r.GetByRole(AriaRole.Button, new() { Name = "この予約を取り消す" }).ClickAsync();
        await Expect(r.GetByTestId("reservation-status")).ToHaveTextAsync("取消");
        await Axe.AssertAccessibleAsync(r);
    }
}
