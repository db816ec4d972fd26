using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Forms;

public sealed class FormsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Imports the minimal form on KT-1 and the documented example on KT-2; publishes only the first.</summary>
    private static async Task<MadoguchiFactory> AppAsync()
    {
        var app = await MadoguchiFactory.CreateAsync();
        await app.SaveAsync(Builders.Procedure("KT-1"), Builders.Procedure("KT-01190"));
        await using var scope = app.Scope();
        var forms = scope.ServiceProvider.GetRequiredService<FormService>();
        await forms.ImportAsync(FormParserTests.Minimal, "KT-1", "test", Ct);
        await forms.PublishAsync("test-form", "test", Ct);
        await forms.ImportAsync(FormParserTests.DocumentedExample(), "KT-01190", "test", Ct);
        return app;
    }

    [Fact]
    public async Task Anonymous_clients_list_only_published_forms()
    {
        await using var app = await AppAsync();

        var response = await app.CreatePlainClient().GetAsync("/api/v1/forms", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var item = Assert.Single(doc.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(("test-form", "KT-1", "テスト申請", 1),
            (item.GetProperty("slug").GetString(), item.GetProperty("procedure").GetString(), item.GetProperty("title").GetString(), item.GetProperty("version").GetInt32()));
        // Readable Japanese, not \u escapes.
        Assert.Contains("テスト申請", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_published_form_gives_its_current_definition_and_an_unpublished_one_is_404()
    {
        await using var app = await AppAsync();
        var client = app.CreatePlainClient();

        using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/v1/forms/test-form", Ct));
        var root = doc.RootElement;
        Assert.Equal(("test-form", "KT-1", 1), (root.GetProperty("slug").GetString(), root.GetProperty("procedure").GetString(), root.GetProperty("version").GetInt32()));
        // Japan time, as every time the API gives (published at 2025-04-01T00:00:00Z).
        Assert.Equal("2025-04-01T09:00:00+09:00", root.GetProperty("publishedAt").GetString());
        var definition = root.GetProperty("definition");
        Assert.Equal("{申請|しんせい}", definition.GetProperty("title").GetProperty("easy").GetString());
        // The definition is the published version as the format describes it: it parses and hashes to sha256.
        var canonical = FormJson.Write(FormParser.Parse(definition.GetRawText(), false).Definition!);
        Assert.Equal(root.GetProperty("sha256").GetString(), FormJson.Sha256(canonical));

        var unpublished = await client.GetAsync("/api/v1/forms/hoikusho-tensho", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unpublished.StatusCode);
        Assert.Equal("application/problem+json", unpublished.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/forms/nothing", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_client_holding_the_current_definition_is_answered_not_modified_until_a_new_version_is_published()
    {
        await using var app = await AppAsync();
        var client = app.CreatePlainClient();
        async Task<HttpResponseMessage> GetAsync(string? etag)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/forms/test-form");
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            return await client.SendAsync(request, Ct);
        }

        var first = await GetAsync(null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag?.ToString();
        Assert.NotNull(etag);
        Assert.True(first.Headers.CacheControl?.NoCache == true, "clients must revalidate: a new version may be published at any time");
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);

        var again = await GetAsync(etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync($"\"other\", {etag}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("\"v1-0000\"")).StatusCode);

        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<FormService>();
            var retitled = JsonNode.Parse(FormParserTests.Minimal)!;
            retitled["title"]!["ja"] = "改訂した申請";
            await forms.ImportAsync(retitled.ToJsonString(), "KT-1", "test", Ct);
            await forms.PublishAsync("test-form", "test", Ct);
        }
        var second = await GetAsync(etag);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(etag, second.Headers.ETag?.ToString());
        using var doc = JsonDocument.Parse(await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("改訂した申請", doc.RootElement.GetProperty("definition").GetProperty("title").GetProperty("ja").GetString());

        // Stopped by staff: gone, whatever copy the client holds.
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            await db.Forms.Where(f => f.Slug == "test-form").ExecuteUpdateAsync(u => u.SetProperty(f => f.UnpublishedAt, DateTimeOffset.UtcNow), Ct);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(second.Headers.ETag?.ToString())).StatusCode);
    }

    [Fact]
    public async Task The_forms_api_is_rate_limited_per_address()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:public:PermitLimit"] = "2" });
        var client = app.CreatePlainClient();

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) codes.Add((await client.GetAsync("/api/v1/forms", Ct)).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
    }
}
