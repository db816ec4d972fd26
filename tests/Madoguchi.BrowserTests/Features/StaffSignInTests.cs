using System.Security.Cryptography;
using Madoguchi.BrowserTests.Infrastructure;
using Madoguchi.Web.Features.Staff;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Features;

/// <summary>DESIGN.md §4.4 in a real browser: an admin creates a member of staff, who enrols an authenticator and signs in again.</summary>
public sealed class StaffSignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_admin_creates_staff_who_enrol_totp_sign_out_and_sign_in_with_password_and_code()
    {
        await using var app = await AppServer.StartAsync();
        var (adminEmail, adminPassword) = await app.CreateUserAsync(Roles.Admin);

        await using var adminContext = await browser.Browser.NewContextAsync(new() { Locale = "ja-JP" });
        var admin = await adminContext.NewPageAsync();
        await SignInWithPasswordAsync(admin, app, adminEmail, adminPassword);
        await EnrolAsync(admin);

        await admin.GotoAsync(app.BaseUrl + "/staff/admin/users");
        await Axe.AssertAccessibleAsync(admin);
        var email = $"staff-{Guid.NewGuid():N}@test.example";
        await admin.GetByLabel("メールアドレス").FillAsync(email);
        await admin.GetByLabel("ロール").SelectOptionAsync(Roles.Dx);
        await admin.GetByRole(AriaRole.Button, new() { Name = "作成" }).ClickAsync();
        var password = (await admin.Locator("[data-testid=created-password]").InnerTextAsync()).Trim();
        await Axe.AssertAccessibleAsync(admin);

        await using var staffContext = await browser.Browser.NewContextAsync(new() { Locale = "ja-JP" });
        var staff = await staffContext.NewPageAsync();
        await SignInWithPasswordAsync(staff, app, email, password);
        var key = await EnrolAsync(staff);
        Assert.Contains("職員トップ", await staff.InnerTextAsync("h1"));

        await staff.GetByRole(AriaRole.Button, new() { Name = "サインアウト" }).ClickAsync();
        Assert.Contains("サインアウトしました", await staff.InnerTextAsync("main"));
        await staff.GotoAsync(app.BaseUrl + "/staff");
        Assert.EndsWith("/staff/signin?ReturnUrl=%2Fstaff", staff.Url);

        await SignInWithPasswordAsync(staff, app, email, password);
        Assert.Contains("/staff/signin/code", staff.Url);
        await Axe.AssertAccessibleAsync(staff);
        await staff.GetByLabel("確認コード").FillAsync(Code(key, DateTimeOffset.UtcNow));
        await staff.GetByRole(AriaRole.Button, new() { Name = "サインイン" }).ClickAsync();
        Assert.Contains("職員トップ", await staff.InnerTextAsync("h1"));
    }

    private static async Task SignInWithPasswordAsync(IPage page, AppServer app, string email, string password)
    {
        await page.GotoAsync(app.BaseUrl + "/staff/signin");
        await page.GetByLabel("メールアドレス").FillAsync(email);
        await page.GetByLabel("パスワード").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "サインイン" }).ClickAsync();
    }

    /// <summary>On the enrolment page: reads the key, types the code an authenticator app would show.</summary>
    private static async Task<string> EnrolAsync(IPage page)
    {
        Assert.Contains("/staff/signin/enrol", page.Url);
        await Axe.AssertAccessibleAsync(page);
        var key = (await page.Locator("[data-testid=totp-key]").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await page.GetByLabel("確認コード").FillAsync(Code(key, DateTimeOffset.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "登録してサインイン" }).ClickAsync();
        Assert.Contains("回復コード", await page.InnerTextAsync("h1"));
        Assert.Equal(10, await page.Locator(".dads-recovery-codes li").CountAsync());
        await Axe.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "保管しました。職員トップへ進む" }).ClickAsync();
        return key;
    }

    /// <summary>RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as an authenticator app computes it.</summary>
    private static string Code(string base32, DateTimeOffset at)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var key = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in base32.TrimEnd('='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                key.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        var counter = at.ToUnixTimeSeconds() / 30;
        var msg = new byte[8];
        for (var i = 7; i >= 0; i--, counter >>= 8) msg[i] = (byte)(counter & 0xff);
        var hash = HMACSHA1.HashData(key.ToArray(), msg);
        var o = hash[^1] & 0x0f;
        var n = ((hash[o] & 0x7f) << 24) | (hash[o + 1] << 16) | (hash[o + 2] << 8) | hash[o + 3];
        return (n % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }
}
