using Madoguchi.BrowserTests.Infrastructure;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Pages;

/// <summary>/staff/signin: found by its labels and button, as a staff member would.</summary>
public sealed class SignInPage(IPage page, AppServer app)
{
    public ILocator Email => page.GetByLabel("メールアドレス");
    public ILocator Password => page.GetByLabel("パスワード");
    public ILocator ErrorSummary => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "入力内容を確認してください" });

    public async Task GotoAsync() => await page.GotoAsync(app.Url("/staff/signin"));

    public async Task SubmitAsync(string email, string password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "サインイン", Exact = true }).ClickAsync();
    }

    /// <summary>
    /// Creates a user with the role and signs in through the pages: password, then the first-time
    /// enrolment of an authenticator app (code computed here); lands on 職員トップ. Returns the key.
    /// </summary>
    public static Task<string> SignInAsync(IPage page, AppServer app, string role) => SignInAsync(page, app, role, null);

    /// <summary>Like <see cref="SignInAsync(IPage, AppServer, string)"/>, as a member of the given department.</summary>
    public static async Task<string> SignInAsync(IPage page, AppServer app, string role, Guid? departmentId)
    {
        var (email, password) = await app.CreateUserAsync(role, departmentId);
        var signIn = new SignInPage(page, app);
        await signIn.GotoAsync();
        await signIn.SubmitAsync(email, password);
        var key = await new EnrolPage(page).EnrolAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "保管しました。職員トップへ進む" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "職員トップ", Level = 1 })).ToBeVisibleAsync();
        return key;
    }
}

/// <summary>/staff/signin/enrol: the first sign-in registers an authenticator app.</summary>
public sealed class EnrolPage(IPage page)
{
    public ILocator Key => page.GetByTestId("totp-key");
    public ILocator Code => page.GetByLabel("確認コード");
    public ILocator RecoveryCodes => page.Locator(".dads-recovery-codes li");

    /// <summary>Reads the key, types the current code and submits; the page then shows the recovery codes.</summary>
    public async Task<string> EnrolAsync()
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "認証アプリの登録", Level = 1 })).ToBeVisibleAsync();
        var key = (await Key.InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        await Code.FillAsync(Totp.Now(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "登録してサインイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "回復コード", Level = 1 })).ToBeVisibleAsync();
        return key;
    }
}

/// <summary>/staff/inventory: the filter form and the list of procedures.</summary>
public sealed class InventoryPage(IPage page, AppServer app)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "手続棚卸", Level = 1 });
    public ILocator Filter => page.GetByRole(AriaRole.Form, new() { Name = "絞り込み" });
    public ILocator List => page.GetByRole(AriaRole.Table, new() { Name = "手続の一覧" });
    public ILocator Rows => List.Locator("tbody").GetByRole(AriaRole.Row);
    public ILocator ImportLink => page.GetByRole(AriaRole.Link, new() { Name = "棚卸表を取り込む" });
    public ILocator ExportLink => page.GetByRole(AriaRole.Link, new() { Name = "棚卸表を出力する" });

    public async Task GotoAsync() => await page.GotoAsync(app.Url("/staff/inventory"));

    public async Task FilterAsync(string? keyword = null, string? bu = null, string? eligible = null)
    {
        if (keyword is not null) await Filter.GetByLabel("キーワード").FillAsync(keyword);
        if (bu is not null) await Filter.GetByLabel("所管部").SelectOptionAsync(new SelectOptionValue { Label = bu });
        if (eligible is not null) await Filter.GetByLabel("オンライン化可否").SelectOptionAsync(new SelectOptionValue { Label = eligible });
        await Filter.GetByRole(AriaRole.Button, new() { Name = "絞り込む" }).ClickAsync();
    }
}

/// <summary>/staff/inventory/import: upload → preview → confirm.</summary>
public sealed class ImportPage(IPage page, AppServer app)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "棚卸表の取込", Level = 1 });
    public ILocator File => page.GetByLabel("棚卸表のファイル");
    public ILocator VolumesYear => page.GetByLabel("件数の年度（西暦）");
    public ILocator PreviewButton => page.GetByRole(AriaRole.Button, new() { Name = "確認する" });
    public ILocator ConfirmButton => page.GetByRole(AriaRole.Button, new() { Name = "この内容で取り込む" });
    public ILocator ToAdd => page.Locator("#count-added");
    public ILocator ErrorTable => page.GetByRole(AriaRole.Table, new() { Name = "取り込めない値" });
    public ILocator Result => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "取り込みました" });

    public async Task GotoAsync() => await page.GotoAsync(app.Url("/staff/inventory/import"));

    public async Task PreviewAsync(string path, int? volumesYear = null)
    {
        await File.SetInputFilesAsync(path);
        if (volumesYear is not null) await VolumesYear.FillAsync(volumesYear.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await PreviewButton.ClickAsync();
    }
}

/// <summary>A procedure's details (/staff/inventory/{id}) and its edit page.</summary>
public sealed class ProcedurePages(IPage page)
{
    public ILocator History => page.GetByRole(AriaRole.Table, new() { Name = "変更履歴（新しい順）" });
    public ILocator EditLink => page.GetByRole(AriaRole.Link, new() { Name = "編集する" });
    public ILocator NameInput => page.GetByLabel("手続名");
    public ILocator SaveButton => page.GetByRole(AriaRole.Button, new() { Name = "保存する" });
    public ILocator ErrorSummary => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "入力内容を確認してください" });
}
