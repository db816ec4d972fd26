using System.Net;
using System.Net.Http.Headers;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Exports;
using Madoguchi.Web.Features.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Exports;

public sealed class TemplatePageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string url, byte[] content, string fileName, Dictionary<string, string>? fields = null)
    {
        var page = await client.GetStringAsync(url, Ct);
        var token = MadoguchiFactory.AntiforgeryToken().Match(page);
        Assert.True(token.Success, "no antiforgery token on the page");
        using var form = new MultipartFormDataContent { { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" } };
        foreach (var (k, v) in fields ?? []) form.Add(new StringContent(v), k);
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        form.Add(file, "Upload", fileName);
        return await client.PostAsync(url, form, Ct);
    }

    private static async Task<(MadoguchiFactory App, Guid Procedure, Guid Department)> SetUpAsync()
    {
        var app = await MadoguchiFactory.CreateAsync();
        var department = Builders.Department("区民部", "区民課");
        var procedure = Builders.Procedure("KT-1", department, p => p.Name = "住民票の写しの交付申請");
        await app.SaveAsync(department, procedure);
        return (app, procedure.Id, department.Id);
    }

    [Fact]
    public async Task Staff_of_the_department_upload_see_and_remove_a_template_and_each_change_is_audited()
    {
        var (app, procedure, department) = await SetUpAsync();
        await using var _ = app;
        var client = await app.SignedInClientAsync(Roles.Staff, department);
        var url = $"/staff/inventory/{procedure}/export-template";
        Assert.Contains("data-testid=\"no-template\"", await client.GetStringAsync(url, Ct));

        var workbook = TemplateWorkbook.Build();
        var upload = await UploadAsync(client, url, workbook, "住民票台帳.xlsx");

        Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        var page = await client.GetStringAsync(url, Ct);
        Assert.Contains("「住民票台帳.xlsx」をテンプレートとして登録しました（シート「台帳」、見出し 2 行）。", page);
        Assert.Contains("<dt>見出しの行数</dt><dd>2 行（データは 3 行目から）</dd>", page);
        Assert.Contains("A: 受付番号、B: 氏名、C: 受付日、D: 手数料", page);
        Assert.Contains("3 行目の書式を使います", page);
        var download = await client.GetAsync(url + "?handler=Download", Ct);
        Assert.Equal(workbook, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);

        await using (var scope = app.Scope())
        {
            var exports = scope.ServiceProvider.GetRequiredService<LedgerExports>();
            var stored = await exports.TemplateAsync(procedure, Ct);
            Assert.Equal(("住民票台帳.xlsx", "台帳", 2), (stored!.FileName, stored.SheetName, stored.HeaderRows));
        }

        var remove = await MadoguchiFactory.PostFormAsync(client, url + "?handler=Remove", new(), url);
        Assert.Equal(HttpStatusCode.Redirect, remove.StatusCode);
        Assert.Contains("data-testid=\"no-template\"", await client.GetStringAsync(url, Ct));

        await using var db = app.Database.CreateContext();
        Assert.Equal(0, await db.ExportTemplates.CountAsync(Ct));
        var audited = await db.AuditEntries.Where(e => e.TargetId == procedure.ToString()).OrderBy(e => e.Sequence).Select(e => new { e.Action, e.Detail, e.DepartmentId }).ToListAsync(Ct);
        Assert.Equal([AuditActions.ExportTemplateUploaded, AuditActions.ExportTemplateRemoved], audited.Select(a => a.Action));
        Assert.StartsWith("file=住民票台帳.xlsx sheet=台帳 headerRows=2", audited[0].Detail, StringComparison.Ordinal);
        Assert.All(audited, a => Assert.Equal(department, a.DepartmentId));
    }

    [Fact]
    public async Task Files_that_are_not_usable_workbooks_are_refused_with_a_reason_and_nothing_is_stored()
    {
        var (app, procedure, department) = await SetUpAsync();
        await using var _ = app;
        var client = await app.SignedInClientAsync(Roles.Manager, department);
        var url = $"/staff/inventory/{procedure}/export-template";

        var csv = await UploadAsync(client, url, "受付番号,氏名\r\n"u8.ToArray(), "台帳.xlsx");
        var wrongSheet = await UploadAsync(client, url, TemplateWorkbook.Build(), "台帳.xlsx", new() { ["Input.SheetName"] = "受付簿" });
        var badRows = await UploadAsync(client, url, TemplateWorkbook.Build(), "台帳.xlsx", new() { ["Input.HeaderRows"] = "0" });

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Contains("受け付けられる形式ではありません", await csv.Content.ReadAsStringAsync(Ct));
        Assert.Contains("シート「受付簿」がありません。ブックのシートは「台帳」「メモ」です。", await wrongSheet.Content.ReadAsStringAsync(Ct));
        Assert.Contains("見出しの行数は1〜50の整数で入力してください", await badRows.Content.ReadAsStringAsync(Ct));
        await using var db = app.Database.CreateContext();
        Assert.Equal(0, await db.ExportTemplates.CountAsync(Ct));
    }

    [Fact]
    public async Task Staff_of_another_department_cannot_see_upload_or_remove_the_template()
    {
        var (app, procedure, ours) = await SetUpAsync();
        await using var _ = app;
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var owner = await app.SignedInClientAsync(Roles.Staff, ours);
        var url = $"/staff/inventory/{procedure}/export-template";
        Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(owner, url, TemplateWorkbook.Build(), "台帳.xlsx")).StatusCode);
        var other = await app.SignedInClientAsync(Roles.Staff, theirs.Id);
        var auditor = await app.SignedInClientAsync(Roles.Auditor);

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url + "?handler=Download", Ct)).StatusCode);
        // A POST with the other member's own valid antiforgery token (taken from a page they may see).
        var remove = await MadoguchiFactory.PostFormAsync(other, url + "?handler=Remove", new(), "/staff/profile");
        Assert.Equal(HttpStatusCode.NotFound, remove.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await auditor.GetAsync(url, Ct)).StatusCode); // to /staff/denied
        await using var db = app.Database.CreateContext();
        Assert.Equal(1, await db.ExportTemplates.CountAsync(Ct));
    }

    [Fact]
    public async Task A_ledger_export_uses_the_procedures_template_and_is_audited()
    {
        var (app, procedure, department) = await SetUpAsync();
        await using var _ = app;
        var client = await app.SignedInClientAsync(Roles.Staff, department);
        await UploadAsync(client, $"/staff/inventory/{procedure}/export-template", TemplateWorkbook.Build(), "台帳.xlsx");

        await using var scope = app.Scope();
        var exports = scope.ServiceProvider.GetRequiredService<LedgerExports>();
        string[] headings = ["受付番号", "氏名", "受付日", "手数料"];
        using var xlsx = await exports.WriteAsync(new LedgerExportRequest(procedure, "KT-1", ExportFormat.Xlsx, "all"), headings,
            TemplateWorkbook.Async([["R7-0001", "山田 太郎", new DateOnly(2025, 4, 1), 300m]]), Ct);
        using var sjis = await exports.WriteAsync(new LedgerExportRequest(procedure, "KT-1", ExportFormat.CsvCp932, "selected: 1"), headings,
            TemplateWorkbook.Async([["R7-0002", "𠮷田 花子", new DateOnly(2025, 4, 1), 300m]]), Ct);

        Assert.Equal("KT-1-20250401-0900.xlsx", xlsx.FileName);
        var rows = TemplateWorkbook.Part(await File.ReadAllBytesAsync(xlsx.Path, Ct), "xl/worksheets/sheet1.xml").Root!.Descendants(TemplateWorkbook.M + "row").ToList();
        Assert.Equal(3, rows.Count); // the template's title and headings, then the one case
        Assert.Equal("KT-1-20250401-0900-sjis.csv", sjis.FileName);
        Assert.Equal("1行目「氏名」: 「𠮷」(U+20BB7) は Shift_JIS（cp932）にないため 〓 にしました", Assert.Single(sjis.Outcome.Replacements).Message);
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var details = await db.AuditEntries.Where(e => e.Action == AuditActions.LedgerExported).OrderBy(e => e.Sequence).Select(e => e.Detail).ToListAsync(Ct);
        Assert.Equal(["format=Xlsx rows=1 selection=all template=台帳.xlsx replaced=0", "format=CsvCp932 rows=1 selection=selected: 1 template=- replaced=1"], details);
    }
}
