using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Cases;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Exports;

/// <summary>Ledger export actions (issue 8): page forms without JavaScript, the cp932 report before the download, the API, the audit.</summary>
public sealed class LedgerExportActionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ExportUrl(Guid procedureId, string query = "") => $"/staff/ledger/{procedureId}/export" + (query.Length > 0 ? "?" + query : "");

    private static async Task<string> CsvAsync(HttpResponseMessage response, Encoding encoding)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        return encoding.GetString(bytes);
    }

    private static Encoding Cp932()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932);
    }

    [Fact]
    public async Task Rows_ticked_on_the_ledger_download_as_utf8_csv_with_a_japanese_file_name_and_an_audit_entry()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(9)));
        var setup = await LedgerKit.PublishAsync(app);
        var a = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木", note: "=1+2"));
        var b = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("井上"));
        var c = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("上田"));
        var (client, login) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);

        // The ledger page itself carries the export choices in its bulk form (formaction, no script).
        var ledger = await client.GetStringAsync($"/staff/ledger/{setup.ProcedureId}", Ct);
        Assert.Contains($"formaction=\"/staff/ledger/{setup.ProcedureId}/export\"", ledger);
        Assert.Contains("name=\"Input.Format\" value=\"csv-cp932\"", ledger);

        var response = await MadoguchiFactory.PostFormAsync(client, ExportUrl(setup.ProcedureId), new()
        {
            ["Input.Scope"] = "selected",
            ["Input.Format"] = "csv",
            ["Input.Ids[0]"] = a.Id.ToString(),
            ["Input.Ids[1]"] = c.Id.ToString(),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("台帳テスト手続_台帳_20260401-1000.csv", disposition.FileNameStar);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("受付番号,氏名,住所,備考,種別,受付日時", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith(a.ReceiptNumber + ",青木 花子,", StringComparison.Ordinal) && l.Contains(",'=1+2,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(c.ReceiptNumber, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith(b.ReceiptNumber, StringComparison.Ordinal));

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
        var entry = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == AuditActions.LedgerExported, Ct);
        Assert.Equal(setup.ProcedureId.ToString(), entry.TargetId);
        Assert.Equal(setup.Department.Id, entry.DepartmentId);
        Assert.Equal(await LedgerKit.UserIdAsync(app, login.Email), entry.Actor);
        Assert.Contains("rows=2", entry.Detail);
        Assert.Contains("selection=selected:2", entry.Detail);
    }

    [Fact]
    public async Task The_current_filter_exports_as_xlsx_with_only_the_matching_cases()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var open = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("青木"));
        var reviewing = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("井上"));
        await LedgerKit.UpdateAsync(app, reviewing.Id, u => u.SetProperty(x => x.Status, CaseWorkflow.Reviewing));
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);

        var response = await MadoguchiFactory.PostFormAsync(client, ExportUrl(setup.ProcedureId, "Filter.Status=reviewing"),
            new() { ["Input.Scope"] = "filter", ["Input.Format"] = "xlsx" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".xlsx", response.Content.Headers.ContentDisposition!.FileNameStar);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)));
        using var reader = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        var sheet = await reader.ReadToEndAsync(Ct);
        Assert.Contains(reviewing.ReceiptNumber, sheet);
        Assert.Contains("審査中", sheet);
        Assert.DoesNotContain(open.ReceiptNumber, sheet);
        await using var scope = app.Scope();
        var detail = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.LedgerExported).Select(e => e.Detail).SingleAsync(Ct);
        Assert.Contains("selection=filter:status=reviewing", detail);
        Assert.Contains("rows=1", detail);
    }

    [Fact]
    public async Task Cp932_shows_the_missing_characters_before_any_download_then_sends_the_replaced_file_once_or_utf8_instead()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        var plain = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田"));
        var yoshida = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("𠮷田"));
        var (client, _) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);
        var (colleague, _) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);
        var fields = new Dictionary<string, string> { ["Input.Scope"] = "all", ["Input.Format"] = "csv-cp932" };

        var response = await MadoguchiFactory.PostFormAsync(client, ExportUrl(setup.ProcedureId), fields);

        // A page, not a file: which case, which column, which character.
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Shift_JIS（cp932）にない文字が 1 か所あります", html);
        Assert.Contains($"<td>{yoshida.ReceiptNumber}</td><td>氏名</td><td>𠮷</td><td>U+20BB7</td>", html);
        Assert.DoesNotContain(plain.ReceiptNumber, html);
        var link = System.Text.RegularExpressions.Regex.Match(html, "href=\"(/staff/ledger/[^\"]+handler=held[^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(link);

        // Someone else (same department) cannot take it; its exporter can, once.
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.GetAsync(link, Ct)).StatusCode);
        var held = await client.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal("attachment", held.Content.Headers.ContentDisposition!.DispositionType);
        Assert.EndsWith("_SJIS.csv", held.Content.Headers.ContentDisposition.FileNameStar);
        Assert.True(held.Headers.CacheControl?.NoStore);
        var csv = await CsvAsync(held, Cp932());
        Assert.Contains(yoshida.ReceiptNumber + ",〓田 花子,", csv);
        Assert.Contains(plain.ReceiptNumber + ",山田 花子,", csv);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(link, Ct)).StatusCode);

        // UTF-8 instead keeps the character.
        var utf8 = await MadoguchiFactory.PostFormAsync(client, ExportUrl(setup.ProcedureId), new() { ["Input.Scope"] = "all", ["Input.Format"] = "csv" });
        Assert.Contains(yoshida.ReceiptNumber + ",𠮷田 花子,", await CsvAsync(utf8, Encoding.UTF8));
    }

    [Fact]
    public async Task Choosing_selected_rows_without_ticking_any_says_so_and_another_department_gets_404()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田"));
        var client = await app.SignedInClientAsync(Roles.Staff, setup.Department.Id);

        var response = await MadoguchiFactory.PostFormAsync(client, ExportUrl(setup.ProcedureId), new() { ["Input.Scope"] = "selected", ["Input.Format"] = "csv" });

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("選んだ行がありません", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)));

        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var other = await app.SignedInClientAsync(Roles.Staff, theirs.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(ExportUrl(setup.ProcedureId), Ct)).StatusCode);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.AnyAsync(e => e.Action == AuditActions.LedgerExported, Ct));
    }

    [Theory]
    [InlineData("new")]
    [InlineData("old")]
    [InlineData("due")]
    [Trait("storage", "true")]
    public async Task The_export_lists_the_cases_in_the_ledgers_order_with_corrected_answers_and_staff_who_moved_named(string sort)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        app.Clock.Set(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.FromHours(9)));
        var setup = await LedgerKit.PublishAsync(app);
        var made = new List<Case>();
        string[] families = ["阿部", "伊藤", "上野", "遠藤", "小野", "加藤", "木村"];
        for (var i = 0; i < families.Length; i++)
        {
            // Pairs share a received time, so the id breaks ties in both.
            if (i % 2 == 0) app.Clock.Advance(TimeSpan.FromHours(30));
            made.Add(await LedgerKit.SubmitAsync(app, LedgerKit.Answers(families[i])));
        }
        // Cases without a due date come last in the due order.
        foreach (var c in made.Where((_, i) => i % 3 == 1)) await LedgerKit.UpdateAsync(app, c.Id, u => u.SetProperty(x => x.DueOn, (DateOnly?)null));
        // A 補正 replaced the first case's answers; the second is assigned to someone now in another department.
        await LedgerKit.UpdateAsync(app, made[0].Id, u => u.SetProperty(x => x.AnswersJson, LedgerKit.Answers("訂正後").ToJsonString()));
        var elsewhere = Builders.Department("総務部", "総務課");
        await app.SaveAsync(elsewhere);
        var moved = await LedgerKit.UserIdAsync(app, (await app.CreateUserAsync(Roles.Staff, elsewhere.Id)).Email);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Users.Where(u => u.Id == moved).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, "異動 次郎"), Ct);
        }
        await LedgerKit.UpdateAsync(app, made[1].Id, u => u.SetProperty(x => x.AssigneeId, moved));
        var (client, _) = await app.SignInNewUserAsync(Roles.Staff, setup.Department.Id);

        var page = LedgerKit.Rows(await client.GetStringAsync($"/staff/ledger/{setup.ProcedureId}?Filter.Sort={sort}", Ct));
        Assert.Equal(made.Count, page.Count);
        var response = await MadoguchiFactory.PostFormAsync(client, ExportUrl(setup.ProcedureId, $"Filter.Sort={sort}"), new() { ["Input.Scope"] = "all", ["Input.Format"] = "csv" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csv = await CsvAsync(response, Encoding.UTF8);
        var receipts = csv.Split("\r\n").Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[0]).ToList();
        var receiptOf = made.ToDictionary(c => c.Id, c => c.ReceiptNumber);
        Assert.Equal(page.Select(id => receiptOf[id]), receipts);
        Assert.Contains("訂正後 花子", csv);
        Assert.DoesNotContain("阿部", csv);
        Assert.Contains("異動 次郎", csv);
    }

    private static async Task<string> TokenAsync(MadoguchiFactory app, string email, string scopes)
    {
        await using var scope = app.Scope();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        return (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(owner!, "test", scopes, null, Ct)).Secret;
    }

    [Fact]
    [Trait("storage", "true")]
    public async Task The_api_exports_with_cases_read_and_answers_422_listing_cp932_gaps_unless_replace_is_true()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await LedgerKit.PublishAsync(app);
        await LedgerKit.SubmitAsync(app, LedgerKit.Answers("山田"));
        var yoshida = await LedgerKit.SubmitAsync(app, LedgerKit.Answers("𠮷田"));
        var theirs = Builders.Department("福祉部", "介護保険課");
        await app.SaveAsync(theirs);
        var (staff, _) = await app.CreateUserAsync(Roles.Staff, setup.Department.Id);
        var (other, _) = await app.CreateUserAsync(Roles.Staff, theirs.Id);
        using var client = app.CreatePlainClient();
        var url = $"/api/v1/procedures/{setup.ProcedureId}/cases/export";
        async Task<HttpResponseMessage> GetAsync(string query, string? token)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url + query);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await client.SendAsync(request, Ct);
        }
        var reader = await TokenAsync(app, staff, "cases:read");

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("", await TokenAsync(app, staff, "inventory:read"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("", await TokenAsync(app, other, "cases:read"))).StatusCode);

        var refused = await GetAsync("?format=csv-cp932", reader);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(1, problem["unmappedCount"]!.GetValue<long>());
        var gap = problem["unmapped"]![0]!;
        Assert.Equal((yoshida.ReceiptNumber, "氏名", "𠮷", "U+20BB7"), (gap["receiptNumber"]!.GetValue<string>(), gap["column"]!.GetValue<string>(), gap["character"]!.GetValue<string>(), gap["codePoint"]!.GetValue<string>()));
        Assert.Equal("unmappable_character", problem["errors"]![0]!["code"]!.GetValue<string>());

        var replaced = await GetAsync("?format=csv-cp932&replace=true", reader);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.True(replaced.Headers.CacheControl?.NoStore);
        Assert.Contains(yoshida.ReceiptNumber + ",〓田 花子,", await CsvAsync(replaced, Cp932()));

        var byStatus = await GetAsync("?format=csv&status=reviewing", reader);
        Assert.Equal(HttpStatusCode.OK, byStatus.StatusCode);
        Assert.Single((await CsvAsync(byStatus, Encoding.UTF8)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

        var bad = await GetAsync("?format=pdf&receivedFrom=2026/04/01", reader);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var errors = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
        Assert.Equal(["format", "receivedFrom"], errors);
    }
}
