using System.Net;
using System.Text.Json;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Postcodes;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Postcodes;

/// <summary>GET /api/v1/postcodes/{code}: the anonymous lookup behind address autofill.</summary>
public sealed class PostcodeApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<MadoguchiFactory> WithPostcodesAsync()
    {
        var app = await MadoguchiFactory.CreateAsync();
        await using var scope = app.Scope();
        var import = await scope.ServiceProvider.GetRequiredService<PostcodeImporter>()
            .ImportAsync(PostcodeFixtures.WriteKenAll(app.Database, "KEN_ALL.CSV", [.. PostcodeFixtures.KenAllRows, .. PostcodeFixtures.UtfRows[1..3]]), Ct);
        Assert.True(import.Applied);
        return app;
    }

    [Theory]
    [InlineData("1350016")]
    [InlineData("135-0016")]
    [InlineData("%EF%BC%91%EF%BC%93%EF%BC%95%EF%BC%8D%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%96")] // １３５－００１６
    public async Task A_known_postcode_gives_its_address_to_anyone(string code)
    {
        await using var app = await WithPostcodesAsync();
        var client = app.CreatePlainClient();

        var response = await client.GetAsync("/api/v1/postcodes/" + code, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("135-0016", json.RootElement.GetProperty("code").GetString());
        var a = Assert.Single(json.RootElement.GetProperty("addresses").EnumerateArray());
        Assert.Equal(("東京都", "江東区", "東陽", "トウヨウ", "13108"),
            (a.GetProperty("prefecture").GetString(), a.GetProperty("city").GetString(), a.GetProperty("town").GetString(), a.GetProperty("townKana").GetString(), a.GetProperty("cityCode").GetString()));
    }

    [Fact]
    public async Task A_postcode_of_several_towns_lists_each_and_a_split_town_comes_whole()
    {
        await using var app = await WithPostcodesAsync();
        var client = app.CreatePlainClient();

        using var several = JsonDocument.Parse(await client.GetStringAsync("/api/v1/postcodes/135-0017", Ct));
        using var split = JsonDocument.Parse(await client.GetStringAsync("/api/v1/postcodes/1369999", Ct));

        Assert.Equal(["南砂町 １～３丁目", "北砂町 "], several.RootElement.GetProperty("addresses").EnumerateArray().Select(a => a.GetProperty("town").GetString() + " " + a.GetProperty("note").GetString()));
        Assert.Equal("１～３丁目、５番地～１０番地", split.RootElement.GetProperty("addresses")[0].GetProperty("note").GetString());
    }

    [Fact]
    public async Task An_unknown_postcode_is_404_problem_details()
    {
        await using var app = await WithPostcodesAsync();

        var response = await app.CreatePlainClient().GetAsync("/api/v1/postcodes/9999999", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("999-9999 は登録されていません", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("135-001", "wrong_length")]
    [InlineData("13500160", "wrong_length")]
    [InlineData("abcdefg", "not_digits")]
    public async Task A_malformed_postcode_is_422_with_the_field_error(string code, string errorCode)
    {
        await using var app = await WithPostcodesAsync();

        var response = await app.CreatePlainClient().GetAsync("/api/v1/postcodes/" + code, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var error = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(("code", errorCode), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
        Assert.Contains("郵便番号", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookups_are_rate_limited_per_address()
    {
        await using var app = await MadoguchiFactory.CreateAsync(new() { ["Madoguchi:RateLimits:public:PermitLimit"] = "3" });
        var client = app.CreatePlainClient();

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) codes.Add((await client.GetAsync("/api/v1/postcodes/1350016", Ct)).StatusCode);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], codes);
    }
}
