using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class CatalogInventoryTests(BrowserFixture browser)
{
    /// <summary>The first 44 rows of the Koto inventory: six of them are 環境清掃部 and may go online.</summary>
    private static async Task<AppServer> StartWithInventoryAsync()
    {
        var app = await AppServer.StartAsync();
        await app.ImportAsync(Fixtures.Head(Fixtures.KotoInventory, 44, app.Folder));
        return app;
    }

    [Fact]
    public async Task The_inventory_list_with_filters_applied_shows_only_matching_procedures_and_is_accessible()
    {
        await using var app = await StartWithInventoryAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        var inventory = new InventoryPage(page, app);
        await inventory.GotoAsync();
        await Expect(inventory.Rows).ToHaveCountAsync(44);

        await inventory.FilterAsync(bu: "環境清掃部", eligible: "可");

        await Expect(inventory.Rows).ToHaveCountAsync(6);
        foreach (var text in await inventory.Rows.AllInnerTextsAsync())
        {
            Assert.Contains("環境清掃部", text);
        }
        await Expect(inventory.Filter.GetByLabel("所管部")).ToHaveValueAsync("環境清掃部"); // the filter stays shown
        Assert.Contains("Eligible=yes", page.Url); // a GET form: the filtered list can be bookmarked
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task A_procedure_shows_its_history_and_its_edit_page_explains_each_error()
    {
        await using var app = await StartWithInventoryAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Dx);
        var inventory = new InventoryPage(page, app);
        await inventory.GotoAsync();
        await inventory.FilterAsync(keyword: "KT-00042");
        await inventory.List.GetByRole(AriaRole.Link, new() { Name = "転入届" }).ClickAsync();

        var procedure = new ProcedurePages(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "転入届", Level = 1 })).ToBeVisibleAsync();
        await Expect(procedure.History).ToContainTextAsync("import: head-44-inventory-koto-2025-03.csv");
        await Axe.AssertAccessibleAsync(page);

        await procedure.EditLink.ClickAsync();
        await procedure.NameInput.FillAsync("");
        await page.GetByLabel("オンライン化年月日").FillAsync("いつか");
        await procedure.SaveButton.ClickAsync();

        await Expect(procedure.ErrorSummary).ToContainTextAsync("手続名を入力してください");
        await Expect(procedure.ErrorSummary).ToContainTextAsync("オンライン化年月日は");
        await Expect(procedure.NameInput).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertAccessibleAsync(page);

        // Fixed, it saves, and the change joins the history.
        await procedure.NameInput.FillAsync("転入届（窓口・オンライン）");
        await page.GetByLabel("オンライン化年月日").FillAsync("");
        await procedure.SaveButton.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "転入届（窓口・オンライン）", Level = 1 })).ToBeVisibleAsync();
        await Expect(procedure.History.Locator("tbody").GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(procedure.History).ToContainTextAsync("転入届 → 転入届（窓口・オンライン）");
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task The_export_page_is_accessible_with_and_without_errors()
    {
        await using var app = await StartWithInventoryAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Auditor);
        var inventory = new InventoryPage(page, app);
        await inventory.GotoAsync();
        await Expect(inventory.ImportLink).ToHaveCountAsync(0); // auditors export, they do not import

        await inventory.ExportLink.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "棚卸表を出力する", Level = 1 })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);

        await page.GetByLabel("件数の年度（西暦）").FillAsync("1900");
        await page.GetByRole(AriaRole.Button, new() { Name = "出力する" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("件数の年度は 1990〜2100 の西暦");
        await Axe.AssertAccessibleAsync(page);

        await page.GetByLabel("件数の年度（西暦）").FillAsync("2024");
        await page.GetByLabel("CSV（UTF-8、BOM付き）").CheckAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "出力する" }).ClickAsync());
        var path = await download.PathAsync();
        Assert.Equal(45, File.ReadAllLines(path).Length); // header and the 44 procedures
    }
}
