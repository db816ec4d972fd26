using Madoguchi.BrowserTests.Infrastructure;
using Microsoft.Playwright;

namespace Madoguchi.BrowserTests.Pages;

/// <summary>/staff/audit: the auditor's search over the audit trail.</summary>
public sealed class AuditPage(IPage page, AppServer app)
{
    public ILocator From => page.GetByLabel("開始日");
    public ILocator Action => page.GetByRole(AriaRole.Combobox, new() { Name = "操作" });
    public ILocator Table => page.GetByRole(AriaRole.Table, new() { Name = "監査ログ（新しい順）" });
    public ILocator ErrorSummary => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "入力内容を確認してください" });

    public async Task GotoAsync() => await page.GotoAsync(app.Url("/staff/audit"));

    public async Task SearchAsync() => await page.GetByRole(AriaRole.Button, new() { Name = "検索する" }).ClickAsync();
}
