using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Catalog;

[Trait(Traits.Storage, "true")]
public sealed partial class ImportPageTests
{
    private const string Url = "/staff/inventory/import";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Csv(params string[] rows)
        => new UTF8Encoding(true).GetPreamble().Concat(Encoding.UTF8.GetBytes(string.Join("\r\n", [InventoryTestKit.MunicipalHeader, .. rows]) + "\r\n")).ToArray();

    /// <summary>Posts a multipart form from a page, with that page's antiforgery token, like a browser without JavaScript.</summary>
    private static async Task<HttpResponseMessage> PostMultipartAsync(HttpClient client, string pageHtml, string url, Dictionary<string, string> fields, (string Name, string FileName, byte[] Content)? file = null)
    {
        var token = MadoguchiFactory.AntiforgeryToken().Match(pageHtml);
        Assert.True(token.Success, "no antiforgery token on the page");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" },
        };
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        if (file is { } f)
        {
            var content = new ByteArrayContent(f.Content);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(content, f.Name, f.FileName);
        }
        return await client.PostAsync(url, form, Ct);
    }

    [GeneratedRegex("name=\"Token\" value=\"([0-9a-f]{32})\"")]
    private static partial Regex TokenField();

    [Fact]
    public async Task Upload_shows_a_preview_and_confirm_applies_it()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await app.SignedInClientAsync(Roles.Dx);
        await using (var scope = app.Scope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Catalog.Import.InventoryImporter>();
            var first = Path.Combine(app.Database.Folder, "first.csv");
            await File.WriteAllBytesAsync(first, Csv("KT-1,転入届,区民部,区民課,,届出,個人,可,,,,未,,,", "KT-2,転出届,区民部,区民課,,届出,個人,可,,,,未,,,"), Ct);
            await importer.ImportAsync(first, new() { VolumesFiscalYear = 2024 }, Ct);
        }
        var page = await client.GetStringAsync(Url, Ct);
        Assert.Contains("enctype=\"multipart/form-data\"", page);

        var preview = await PostMultipartAsync(client, page, Url + "?handler=Preview", new() { ["Input.VolumesFiscalYear"] = "2024" },
            ("Upload", "koto.csv", Csv("KT-1,転入届,区民部,区民課,,届出,個人,可,,令和7年度,LoGoフォーム,済,2025-06,,", "KT-2,転出届,区民部,区民課,,届出,個人,可,,,,未,,,", "KT-3,転居届,区民部,区民課,,届出,個人,可,,,,未,,,")));
        var html = await preview.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("<span id=\"count-added\">1</span>", html);
        Assert.Contains("<span id=\"count-changed\">1</span>", html);
        Assert.Contains("<span id=\"count-unchanged\">1</span>", html);
        Assert.Contains("<td>オンライン化状況</td><td>未</td><td>済</td>", html);
        await using (var ctx = app.Database.CreateContext()) Assert.Equal(2, await ctx.Procedures.CountAsync(Ct)); // a preview writes nothing
        var token = TokenField().Match(html).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(app.Database.Storage.FilesFolder, "imports", token)));

        var confirm = await PostMultipartAsync(client, html, Url + "?handler=Confirm",
            new() { ["Token"] = token, ["FileName"] = "koto.csv", ["Input.Replace"] = "false", ["Input.VolumesFiscalYear"] = "2024" });

        Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        Assert.Equal("/staff/inventory/import?added=1&changed=1&unchanged=1&removed=0", confirm.Headers.Location!.OriginalString);
        Assert.Contains("取り込みました", await client.GetStringAsync(confirm.Headers.Location.OriginalString, Ct));
        Assert.False(File.Exists(Path.Combine(app.Database.Storage.FilesFolder, "imports", token)));
        await using var db = app.Database.CreateContext();
        Assert.Equal(3, await db.Procedures.CountAsync(Ct));
        var change = await db.ProcedureChanges.Where(c => c.Source == "import: koto.csv").ToListAsync(Ct);
        Assert.Equal(2, change.Count);
        Assert.All(change, c => Assert.StartsWith("dx-", c.Actor));
    }

    [Fact]
    public async Task A_bad_file_shows_each_error_and_offers_no_confirm()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await app.SignedInClientAsync(Roles.Dx);
        var page = await client.GetStringAsync(Url, Ct);

        var preview = await PostMultipartAsync(client, page, Url + "?handler=Preview", [],
            ("Upload", "bad.csv", Csv("KT-1,転入届,区民部,区民課,,届出,個人,たぶん,,,,未,,,", "KT-1,転出届,区民部,区民課,,届出,個人,可,,,,未,,abc,")));
        var html = await preview.Content.ReadAsStringAsync(Ct);

        Assert.Contains("不正な値が 3 件", html);
        // Rows as Excel numbers them: the header is row 1.
        Assert.Contains("<td>2</td><td>オンライン化可否</td><td>たぶん</td>", html);
        Assert.Contains("<td>3</td><td>手続ID</td><td>KT-1</td>", html);
        Assert.Contains("<td>3</td><td>年間申請件数</td><td>abc</td>", html);
        Assert.DoesNotContain("この内容で取り込む", html);
        Assert.Empty(Directory.GetFiles(app.Database.Storage.FilesPath("imports")));
    }

    [Fact]
    public async Task Staff_without_inventory_write_cannot_open_the_page()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await app.SignedInClientAsync(Roles.Auditor);

        var response = await client.GetAsync(Url, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/denied", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task An_unknown_token_is_refused_without_importing()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await app.SignedInClientAsync(Roles.Dx);
        var page = await client.GetStringAsync(Url, Ct);

        var response = await PostMultipartAsync(client, page, Url + "?handler=Confirm", new() { ["Token"] = "../../madoguchi.db" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("確認中のファイルが見つかりません", await response.Content.ReadAsStringAsync(Ct));
    }
}
