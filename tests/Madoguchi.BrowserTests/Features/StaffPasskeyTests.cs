using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.BrowserTests.Pages;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Madoguchi.BrowserTests.Features;

/// <summary>Passkeys in a real browser, with Chromium's virtual authenticator (a platform authenticator with a PIN/biometric).</summary>
public sealed class StaffPasskeyTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_staff_member_registers_a_passkey_on_the_profile_page_signs_out_and_signs_in_with_it()
    {
        await using var app = await AppServer.StartAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        var cdp = await session.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var authenticator = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        // WebAuthn needs a domain as its RP id, not an IP address: the same server, named localhost.
        var site = app.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var (email, password) = await app.CreateUserAsync(Roles.Dx);
        await page.GotoAsync(site + "/staff/signin");
        await new SignInPage(page, app).SubmitAsync(email, password);
        await new EnrolPage(page).EnrolAsync();

        await page.GotoAsync(site + "/staff/profile");
        await Expect(page.GetByText("登録済みのパスキーはありません")).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
        await page.GetByLabel("パスキーの名前").FillAsync("このPCの指紋認証");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスキーを登録" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "パスキー「このPCの指紋認証」を登録しました" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "登録済みのパスキー（1 件）" })).ToContainTextAsync("このPCの指紋認証");
        await Axe.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "サインアウト", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "サインアウトしました" })).ToBeVisibleAsync();
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "パスキーでサインイン" }).ClickAsync();

        // No password and no code: the passkey (with its user verification) was the whole sign-in.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "職員トップ", Level = 1 })).ToBeVisibleAsync();
        var id = authenticator!.Value.GetProperty("authenticatorId").GetString()!;
        var credentials = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = id });
        // One discoverable credential on the device, used (its counter moved) by the sign-in.
        var stored = credentials!.Value.GetProperty("credentials");
        Assert.Equal(1, stored.GetArrayLength());
        Assert.True(stored[0].GetProperty("isResidentCredential").GetBoolean());
    }
}
