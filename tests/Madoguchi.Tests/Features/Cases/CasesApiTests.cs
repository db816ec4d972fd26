using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Features.Submissions;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Cases;

/// <summary>The cases API (issue 8): scopes, departments, revocation, paging while cases arrive, status and notes.</summary>
[Trait("storage", "true")]
public sealed class CasesApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Setup(MadoguchiFactory App, Procedure Procedure, string Staff, string Other);

    private static async Task<Setup> SetUpAsync(MadoguchiFactory app)
    {
        var ours = Builders.Department("子ども未来部", "子育て支援課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        var procedure = Builders.Procedure("KT-T0001", ours);
        await app.SaveAsync(ours, theirs, procedure);
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            await forms.ImportAsync(SubmissionKit.FormJson, "KT-T0001", "test", Ct);
            await forms.PublishAsync(SubmissionKit.Slug, "test", Ct);
        }
        var (staff, _) = await app.CreateUserAsync(Roles.Staff, ours.Id);
        var (other, _) = await app.CreateUserAsync(Roles.Staff, theirs.Id);
        return new(app, procedure, staff, other);
    }

    private static async Task SubmitAsync(MadoguchiFactory app, int n)
    {
        using var client = app.CreatePlainClient();
        for (var i = 0; i < n; i++)
        {
            using var r = await SubmissionKit.PostAsync(client, SubmissionKit.GoodAnswers());
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
    }

    private static async Task<(string Secret, Guid Id)> TokenAsync(MadoguchiFactory app, string email, string scopes)
    {
        await using var scope = app.Scope();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(owner!, "test", scopes, null, Ct);
        return (created.Secret, created.Token.Id);
    }

    private static HttpClient Bearer(MadoguchiFactory app, string token)
    {
        var client = app.CreatePlainClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Paging_by_cursor_returns_every_case_exactly_once_while_cases_are_being_added()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 5);
        using var client = Bearer(app, (await TokenAsync(app, s.Staff, "cases:read")).Secret);
        var seen = new List<string>();
        string? cursor = null;
        for (var round = 0; round < 10; round++)
        {
            var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/procedures/{s.Procedure.Id}/cases?limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Ct);
            seen.AddRange(page!["items"]!.AsArray().Select(i => i!["receiptNumber"]!.GetValue<string>()));
            cursor = page["nextCursor"]!.GetValue<string>();
            // New applications arrive while the client is paging.
            if (round == 1) await SubmitAsync(app, 3);
            if (!page["hasMore"]!.GetValue<bool>() && round > 1) break;
        }
        await using var scope = app.Scope();
        var all = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Select(c => c.ReceiptNumber).ToListAsync(Ct);
        Assert.Equal(8, all.Count);
        Assert.Equal(all.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Scopes_departments_and_revocation_are_enforced()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 1);
        Guid caseId;
        await using (var scope = app.Scope())
        {
            caseId = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Select(c => c.Id).SingleAsync(Ct);
        }
        var (readSecret, readId) = await TokenAsync(app, s.Staff, "cases:read");
        using var read = Bearer(app, readSecret);
        var detail = await read.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{caseId}", Ct);
        Assert.Equal("山田", detail!["answers"]!["applicantName"]!["family"]!.GetValue<string>());
        Assert.Equal("received", detail["case"]!["status"]!.GetValue<string>());
        // Read scope cannot write.
        using (var denied = await read.PostAsJsonAsync($"/api/v1/cases/{caseId}/status", new { status = "reviewing" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }
        // An inventory token is not a cases token.
        using (var inventory = Bearer(app, (await TokenAsync(app, s.Staff, "inventory:read")).Secret))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await inventory.GetAsync($"/api/v1/cases/{caseId}", Ct)).StatusCode);
        }
        // Another department's token: the case and the ledger do not exist for it.
        using (var other = Bearer(app, (await TokenAsync(app, s.Other, "cases:write")).Secret))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/cases/{caseId}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/procedures/{s.Procedure.Id}/cases", Ct)).StatusCode);
            using var post = await other.PostAsJsonAsync($"/api/v1/cases/{caseId}/status", new { status = "reviewing" }, Ct);
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }
        using (var anonymous = app.CreatePlainClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/cases/{caseId}", Ct)).StatusCode);
        }
        await using (var scope = app.Scope())
        {
            var owner = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(s.Staff);
            Assert.True(await scope.ServiceProvider.GetRequiredService<ApiTokens>().RevokeAsync(owner!.Id, readId, Ct));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await read.GetAsync($"/api/v1/cases/{caseId}", Ct)).StatusCode);
        await using (var scope = app.Scope())
        {
            // Each read of answers is in the audit trail.
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().AuditEntries.CountAsync(a => a.Action == "personal-data.viewed" && a.TargetId == caseId.ToString(), Ct));
        }
    }

    [Fact]
    public async Task A_write_token_moves_the_status_along_the_workflow_and_adds_notes()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 1);
        using var write = Bearer(app, (await TokenAsync(app, s.Staff, "cases:write")).Secret);
        var list = await write.GetFromJsonAsync<JsonObject>($"/api/v1/procedures/{s.Procedure.Id}/cases?status=received&channel=online", Ct);
        var item = list!["items"]!.AsArray().Single()!;
        var id = item["id"]!.GetValue<Guid>();

        using (var moved = await write.PostAsJsonAsync($"/api/v1/cases/{id}/status", new { status = "reviewing", revision = item["revision"]!.GetValue<int>() }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            Assert.Equal("審査中", (await moved.Content.ReadFromJsonAsync<JsonObject>(Ct))!["statusName"]!.GetValue<string>());
        }
        // The old revision: someone else changed it meanwhile.
        using (var stale = await write.PostAsJsonAsync($"/api/v1/cases/{id}/status", new { status = "completed", revision = 0 }, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }
        using (var refused = await write.PostAsJsonAsync($"/api/v1/cases/{id}/status", new { status = "received" }, Ct))
        {
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            Assert.Contains("移せません", await refused.Content.ReadAsStringAsync(Ct));
        }
        using (var note = await write.PostAsJsonAsync($"/api/v1/cases/{id}/notes", new { text = "電話で在籍を確認済み" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        }
        using (var empty = await write.PostAsJsonAsync($"/api/v1/cases/{id}/notes", new { text = " " }, Ct))
        {
            Assert.Equal((HttpStatusCode)422, empty.StatusCode);
        }
        var detail = await write.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}", Ct);
        var history = detail!["history"]!.AsArray().Select(h => (h!["kind"]!.GetValue<string>(), h["public"]!.GetValue<bool>())).ToList();
        Assert.Equal([("created", true), ("status", true), ("note", false)], history);
        Assert.Empty((await write.GetFromJsonAsync<JsonObject>($"/api/v1/procedures/{s.Procedure.Id}/cases?status=received", Ct))!["items"]!.AsArray());
        using var bad = await write.GetAsync($"/api/v1/procedures/{s.Procedure.Id}/cases?channel=fax&limit=500", Ct);
        Assert.Equal((HttpStatusCode)422, bad.StatusCode);
        var text = await bad.Content.ReadAsStringAsync(Ct);
        Assert.Contains("channel 'fax'", text);
        Assert.Contains("limit '500'", text);
    }

    [Fact]
    public async Task A_read_token_downloads_a_cases_attachment_uncached_as_an_attachment_and_never_another_cases_file()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var setup = await CaseKit.SetUpAsync(app);
        var one = await CaseKit.ApplyAsync(app);
        var two = await CaseKit.ApplyAsync(app);
        var content = "%PDF-1.4\n<html><script>alert(1)</script></html>\n"u8.ToArray();
        var file = await CaseKit.AttachAsync(app, one.CaseId, "就労証明書.pdf", content);
        var otherFile = await CaseKit.AttachAsync(app, two.CaseId, "別の人.pdf", content);
        var (email, _) = await app.CreateUserAsync(Roles.Staff, setup.Ours.Id);
        var (secret, _) = await TokenAsync(app, email, "cases:read");
        using var client = Bearer(app, secret);

        var download = await client.GetAsync($"/api/v1/cases/{one.CaseId}/files/{file}", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", download.Headers.CacheControl?.ToString() ?? "");
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync(Ct));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/cases/{one.CaseId}/files/{otherFile}", Ct)).StatusCode);
    }

    private static async Task<Guid> CaseIdAsync(MadoguchiFactory app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Select(c => c.Id).SingleAsync(Ct);
    }

    [Fact]
    public async Task An_unknown_status_filter_is_refused_with_the_procedures_statuses_instead_of_an_empty_list()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 1);
        using var client = Bearer(app, (await TokenAsync(app, s.Staff, "cases:read")).Secret);

        using var response = await client.GetAsync($"/api/v1/procedures/{s.Procedure.Id}/cases?status=bogus", Ct);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!.AsArray().Single()!;
        Assert.Equal(("status", "invalid_status"), (error["field"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
        var message = error["message"]!.GetValue<string>();
        Assert.Contains("status 'bogus'", message, StringComparison.Ordinal);
        Assert.Contains("received（受付）", message, StringComparison.Ordinal);
        Assert.Contains("completed", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", """{"status":"reviewing","revision":"abc"}""", "revision は整数で指定してください")]
    [InlineData("notes", """{"text":5}""", "text は文字列")]
    [InlineData("notes", "", "本文がありません")]
    [InlineData("status", """{"status":"reviewing","status":"completed"}""", "$.status が同じオブジェクトの中に2回")]
    public async Task A_malformed_body_on_status_or_notes_gets_a_problem_that_says_what_is_wrong(string action, string body, string detail)
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 1);
        var id = await CaseIdAsync(app);
        using var client = Bearer(app, (await TokenAsync(app, s.Staff, "cases:write")).Secret);

        using var response = await client.PostAsync($"/api/v1/cases/{id}/{action}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        // Nothing changed.
        var detailAfter = await client.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}", Ct);
        Assert.Equal("received", detailAfter!["case"]!["status"]!.GetValue<string>());
        Assert.Single(detailAfter["history"]!.AsArray());
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_a_415_problem_naming_the_content_type()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 1);
        var id = await CaseIdAsync(app);
        using var client = Bearer(app, (await TokenAsync(app, s.Staff, "cases:write")).Secret);

        using var response = await client.PostAsync($"/api/v1/cases/{id}/notes", new StringContent("電話で確認済み", System.Text.Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!.GetValue<string>();
        Assert.Contains("application/json", detail, StringComparison.Ordinal);
        Assert.Contains("text/plain", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_in_the_cases_api_are_japan_time()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var s = await SetUpAsync(app);
        await SubmitAsync(app, 1);
        var id = await CaseIdAsync(app);
        using var client = Bearer(app, (await TokenAsync(app, s.Staff, "cases:write")).Secret);
        using (var moved = await client.PostAsJsonAsync($"/api/v1/cases/{id}/status", new { status = "reviewing" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            Assert.EndsWith("+09:00", (await moved.Content.ReadFromJsonAsync<JsonObject>(Ct))!["updatedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var item = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/procedures/{s.Procedure.Id}/cases", Ct))!["items"]![0]!;
        var detail = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}", Ct))!;

        string[] times = [item["receivedAt"]!.GetValue<string>(), item["updatedAt"]!.GetValue<string>(),
            detail["case"]!["receivedAt"]!.GetValue<string>(), detail["case"]!["updatedAt"]!.GetValue<string>(),
            .. detail["history"]!.AsArray().Select(h => h!["at"]!.GetValue<string>())];
        Assert.Equal(4, times.Length - 2);
        Assert.All(times, t => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+09:00$", t));
        // The same instant as stored, only written in Japan time.
        await using var scope = app.Scope();
        var stored = await scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>().Cases.Select(c => c.ReceivedAt).SingleAsync(Ct);
        Assert.Equal(stored, DateTimeOffset.Parse(times[0], System.Globalization.CultureInfo.InvariantCulture));
    }
}
