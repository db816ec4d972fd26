using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>DESIGN.md §4.4 in a real browser: an admin creates a member of staff, who enrols an authenticator and signs in again.</summary>
public sealed class StaffEnrolmentTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_admin_creates_staff_who_enrol_totp_sign_out_and_sign_in_with_password_and_code()
    {
        await using var app = await AppServer.StartAsync();
        await using var adminSession = await browser.OpenAsync();
        var admin = adminSession.Page;
        await SignInPage.SignInAsync(admin, app, Roles.Admin);

        await admin.GotoAsync(app.Url("/staff/admin/users"));
        await Axe.AssertAccessibleAsync(admin);
        var email = $"staff-{Guid.NewGuid():N}@test.example";
        await admin.GetByLabel("メールアドレス").FillAsync(email);
        await admin.GetByLabel("ロール").SelectOptionAsync(Roles.Dx);
        await admin.GetByRole(AriaRole.Button, new() { Name = "作成" }).ClickAsync();
        var password = (await admin.GetByTestId("created-password").InnerTextAsync()).Trim();
        await Axe.AssertAccessibleAsync(admin);

        await using var staffSession = await browser.OpenAsync();
        var staff = staffSession.Page;
        var signIn = new SignInPage(staff, app);
        await signIn.GotoAsync();
        await signIn.SubmitAsync(email, password);
        await Axe.AssertAccessibleAsync(staff);
        var enrol = new EnrolPage(staff);
        var key = await enrol.EnrolAsync();
        await Expect(enrol.RecoveryCodes).ToHaveCountAsync(10);
        await Axe.AssertAccessibleAsync(staff);
        await staff.GetByRole(AriaRole.Link, new() { Name = "保管しました。職員トップへ進む" }).ClickAsync();
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "職員トップ", Level = 1 })).ToBeVisibleAsync();

        await staff.GetByRole(AriaRole.Button, new() { Name = "サインアウト" }).ClickAsync();
        await Expect(staff.GetByRole(AriaRole.Status)).ToContainTextAsync("サインアウトしました");
        await staff.GotoAsync(app.Url("/staff"));
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "職員サインイン", Level = 1 })).ToBeVisibleAsync();

        await signIn.SubmitAsync(email, password);
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "確認コードの入力", Level = 1 })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(staff);
        await staff.GetByLabel("確認コード").FillAsync(Totp.Now(key));
        await staff.GetByRole(AriaRole.Button, new() { Name = "サインイン", Exact = true }).ClickAsync();
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "職員トップ", Level = 1 })).ToBeVisibleAsync();
    }
}
