using System.Net;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Staff;

namespace Madoguchi.Tests.Features.Catalog;

[Trait("storage", "true")]
public sealed class ExportPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dx_downloads_the_municipal_sheet_as_utf8_csv_with_every_procedure()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        await app.SaveAsync(dept, Builders.Procedure("KT-1", dept, p => p.Name = "転入届"), Builders.Procedure("KT-2", dept, p => p.Name = "=HYPERLINK(\"x\")"));
        var client = await app.SignedInClientAsync(Roles.Dx);

        var response = await client.GetAsync("/staff/inventory/export?handler=Download&Input.Layout=Municipal&Input.Format=Csv", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("\uFEFF手続ID,手続名,", text);
        Assert.Contains("KT-1,転入届,", text);
        // A name that would run as a spreadsheet formula is neutralised.
        Assert.Contains("'=HYPERLINK", text);
    }

    [Fact]
    public async Task A_shift_jis_export_with_a_character_cp932_lacks_sends_no_file_and_lists_where_it_is()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        await app.SaveAsync(dept, Builders.Procedure("KT-9", dept, p => p.Name = "𠮷野家営業許可"));
        var client = await app.SignedInClientAsync(Roles.Dx);

        var response = await client.GetAsync("/staff/inventory/export?handler=Download&Input.Layout=Municipal&Input.Format=CsvSjis", Ct);

        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("dads-error-summary", html);
        Assert.Contains("KT-9", html);
        Assert.Contains("U+20BB7", WebUtility.HtmlDecode(html));
    }

    [Fact]
    public async Task Department_staff_cannot_export_the_whole_inventory()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var dept = Builders.Department();
        await app.SaveAsync(dept);
        var client = await app.SignedInClientAsync(Roles.Staff, dept.Id);

        var response = await client.GetAsync("/staff/inventory/export?handler=Download&Input.Format=Csv", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/staff/denied", response.Headers.Location!.PathAndQuery);
    }
}
