using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

public sealed class StaffSignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task Sign_in_errors_are_summarised_linked_to_their_fields_and_accessible()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var signIn = new SignInPage(page, app);
        await signIn.GotoAsync();
        await Axe.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "サインイン", Exact = true }).ClickAsync();

        await Expect(signIn.ErrorSummary).ToContainTextAsync("メールアドレスを入力してください");
        await Expect(signIn.Email).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(signIn.Email).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("メールアドレスを入力してください"));
        await signIn.ErrorSummary.GetByRole(AriaRole.Link, new() { Name = "メールアドレスを入力してください", Exact = false }).ClickAsync();
        Assert.EndsWith("#Input_Email", page.Url);
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_without_saying_which_part_was_wrong()
    {
        await using var app = await AppServer.StartAsync();
        var (email, _) = await app.CreateUserAsync(Roles.Dx);
        await using var session = await browser.OpenAsync();
        var signIn = new SignInPage(session.Page, app);
        await signIn.GotoAsync();

        await signIn.SubmitAsync(email, "not-the-password-1234");

        await Expect(signIn.ErrorSummary).ToBeVisibleAsync();
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "職員サインイン", Level = 1 })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(session.Page);
    }

    [Fact]
    public async Task Staff_sign_in_and_out_with_javascript_off()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync(javaScript: false);
        var page = session.Page;

        await SignInPage.SignInAsync(page, app, Roles.Dx);
        await page.GetByRole(AriaRole.Button, new() { Name = "サインアウト" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("サインアウトしました");
        // Passkeys need JavaScript: their button is not offered, and the page says so.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "パスキーでサインイン" })).ToBeHiddenAsync();
        await Expect(page.GetByText("パスキーには JavaScript が必要です")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_staff_top_page_is_accessible()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await SignInPage.SignInAsync(page, app, Roles.Dx);

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "手続棚卸" }).First).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Staff_without_the_right_role_see_an_accessible_denied_page()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await SignInPage.SignInAsync(page, app, Roles.Auditor);

        var response = await page.GotoAsync(app.Url("/staff/inventory/import"));

        Assert.Equal(403, response!.Status);
        Assert.Contains("/staff/denied", page.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("このページを表示する権限がありません");
        await Axe.AssertAccessibleAsync(page);
    }
}
