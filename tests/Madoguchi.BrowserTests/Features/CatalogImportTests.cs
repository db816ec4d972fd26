using System.Text;
using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class CatalogImportTests(BrowserFixture browser)
{
    /// <summary>
    /// The Done-when: sign in, import the Koto inventory through the page (preview, then
    /// confirm) and open the dashboard; every page on the way passes axe.
    /// </summary>
    [Fact]
    public async Task A_dx_officer_imports_the_inventory_through_the_page_and_sees_the_audit_figures()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await SignInPage.SignInAsync(page, app, Roles.Dx);
        await Axe.AssertAccessibleAsync(page);

        var inventory = new InventoryPage(page, app);
        await inventory.GotoAsync();
        await Expect(page.GetByText("条件に合う手続はありません。")).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await inventory.ImportLink.ClickAsync();
        var import = new ImportPage(page, app);
        await Expect(import.Heading).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await import.PreviewAsync(Fixtures.Path(Fixtures.KotoInventory), volumesYear: 2024);
        await Expect(import.ToAdd).ToHaveTextAsync("3058");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "追加する手続（3058 件）" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await import.ConfirmButton.ClickAsync();
        await Expect(import.Result).ToContainTextAsync("追加 3058 件、変更 0 件、変更なし 0 件、削除 0 件");
        await Axe.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "オンライン化の進捗" }).ClickAsync();
        var dashboard = new DashboardPage(page, app);
        await dashboard.ShowAsOfAsync("2025-03-31");
        await Expect(dashboard.Headline).ToContainTextAsync("12.1%");
        await Expect(dashboard.Headline).ToContainTextAsync("（231/1,906）");
        Assert.Equal(["2023", "令和5年度まで", "147", "147", "100.0%"], await dashboard.RowAsync("計画年度別の進捗", "2023"));
        Assert.Equal(["2024", "令和6年度", "66", "55", "83.3%"], await dashboard.RowAsync("計画年度別の進捗", "2024"));
        Assert.Equal(["2025", "令和7年度", "668", "11", "1.6%"], await dashboard.RowAsync("計画年度別の進捗", "2025"));
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task A_bad_file_shows_every_error_in_a_table_and_offers_no_confirm()
    {
        await using var app = await AppServer.StartAsync();
        var bad = Path.Combine(app.Folder, "bad.csv");
        await File.WriteAllTextAsync(bad, string.Join("\r\n",
            "手続ID,手続名,所管部,所管課,根拠法令,手続類型,申請者区分,オンライン化可否,不可理由,オンライン化予定年度,利用ツール,オンライン化状況,オンライン化年月,年間申請件数,うちオンライン申請件数",
            "KT-1,転入届,区民部,区民課,,届出,個人,たぶん,,,,未,,,",
            "KT-1,転出届,区民部,区民課,,届出,個人,可,,,,未,,abc,") + "\r\n", new UTF8Encoding(true), TestContext.Current.CancellationToken);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        var import = new ImportPage(page, app);
        await import.GotoAsync();

        await import.PreviewAsync(bad);

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("不正な値が 3 件");
        await Expect(import.ErrorTable.Locator("tbody").GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await Expect(import.ErrorTable).ToContainTextAsync("たぶん");
        await Expect(import.ErrorTable).ToContainTextAsync("abc");
        await Expect(import.ConfirmButton).ToHaveCountAsync(0);
        await Expect(import.File).ToBeVisibleAsync(); // the staff member can choose a corrected file at once
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task On_a_phone_the_upload_page_fits_the_screen_and_is_accessible()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync(width: 375, height: 667);
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        var import = new ImportPage(page, app);

        await import.GotoAsync();
        await Expect(import.File).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px");
        await Axe.AssertAccessibleAsync(page);

        await import.PreviewButton.ClickAsync(); // no file: the error summary must fit too
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("取り込むファイルを選んでください");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px");
        await Axe.AssertAccessibleAsync(page);
    }
}
