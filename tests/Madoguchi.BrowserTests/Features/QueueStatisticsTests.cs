using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Queue;
using Madoguchi.Web.Features.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>
/// Issue 10's statistics and open data: staff (dx) open the statistics of an office with the demo's
/// past days, see the chart and its table per day and per service, and the public open-data index
/// lists the office's URLs. Every page visited passes axe.
/// </summary>
public sealed class QueueStatisticsTests(BrowserFixture browser)
{
    [Fact]
    public async Task Staff_read_the_statistics_as_charts_and_tables_and_the_open_data_index_is_accessible()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppServer.StartAsync();
        Guid office;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            db.Municipalities.Add(new Municipality { Name = "江東区", Code = "131083" });
            var main = new Office { Name = "江東区役所 本庁舎", NameEn = "Koto City Hall", Kind = OfficeKind.MainOffice, Address = "東京都江東区東陽4-11-28" };
            db.Offices.Add(main);
            QueueDemo.Add(db, [main]);
            QueueDemoHistory.Add(db, [main], TimeProvider.System.GetUtcNow());
            await db.SaveChangesAsync(ct);
            office = main.Id;
        }

        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        // The last 14 days hold the demo's five past business days.
        var from = DateTime.UtcNow.AddHours(9).AddDays(-14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GotoAsync(app.Url($"/staff/queue/statistics?from={from}"));
        var table = page.GetByTestId("statistics-table");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(15);
        await Expect(page.Locator("svg[role=img]").First).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await page.GetByLabel("集計の単位").SelectOptionAsync(new SelectOptionValue { Label = "受付内容別" });
        await page.GetByRole(AriaRole.Button, new() { Name = "集計する" }).ClickAsync();
        await Expect(table.Locator("tbody th").First).ToHaveTextAsync("転入");
        await Axe.AssertAccessibleAsync(page);

        // A date that does not exist: the error summary and the field say why, in Japanese.
        await page.GetByLabel("期間の開始日").FillAsync("令和7年2月30日");
        await page.GetByRole(AriaRole.Button, new() { Name = "集計する" }).ClickAsync();
        await Expect(page.Locator("#from-error")).ToContainTextAsync("その月は28日までです。");
        await Axe.AssertAccessibleAsync(page);

        await using var resident = await browser.OpenAsync(width: 375, height: 812);
        var pub = resident.Page;
        await pub.GotoAsync(app.Url("/queue"));
        await pub.GetByRole(AriaRole.Link, new() { Name = "窓口の混雑状況はオープンデータ（CC BY 4.0）としても公開しています。" }).ClickAsync();
        await Expect(pub.GetByTestId("attribution")).ToHaveTextAsync("出典：江東区 窓口混雑状況オープンデータ");
        await Expect(pub.Locator($"a[href='/opendata/queue/offices/{office}.json']")).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(pub);
    }
}
