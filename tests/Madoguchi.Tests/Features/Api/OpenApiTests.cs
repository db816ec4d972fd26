using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Api;

/// <summary>The OpenAPI document served by the app describes every /api/v1 endpoint, so a new API cannot go undocumented.</summary>
public sealed class OpenApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_document_is_openapi_3_json_and_lists_every_api_v1_route_and_method_of_the_app()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        using var anonymous = app.CreatePlainClient();

        var response = await anonymous.GetAsync(OpenApi.Route, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!.AsObject();
        Assert.StartsWith("3.", doc["openapi"]!.GetValue<string>());
        var paths = doc["paths"]!.AsObject();
        var api = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => ("/" + (e.RoutePattern.RawText ?? "").Trim('/')).StartsWith("/api/v1/", StringComparison.Ordinal)).ToList();
        Assert.True(api.Count >= 15, $"only {api.Count} /api/v1 endpoints found");
        var missing = new List<string>();
        foreach (var e in api)
        {
            var path = OpenApi.PathOf(e.RoutePattern);
            foreach (var method in e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                if (paths[path]?[method.ToLowerInvariant()] is not JsonObject) missing.Add($"{method} {path}");
            }
        }
        Assert.True(missing.Count == 0, "not in the OpenAPI document: " + string.Join(", ", missing));
        Assert.All(paths, p => Assert.DoesNotContain(":", p.Key));
    }

    [Fact]
    public async Task The_submission_endpoint_documents_its_body_the_idempotency_key_201_and_its_problems()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        using var anonymous = app.CreatePlainClient();
        var doc = JsonNode.Parse(await anonymous.GetStringAsync(OpenApi.Route, Ct))!;

        var submit = doc["paths"]!["/api/v1/forms/{slug}/submissions"]!["post"]!;
        var body = submit["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject();
        Assert.Equal(["answers", "version", "language"], body.Select(p => p.Key));
        Assert.Contains(submit["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header");
        var responses = submit["responses"]!.AsObject();
        Assert.Null(responses["200"]);
        Assert.Equal(["receiptNumber", "statusUrl", "version"], responses["201"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject().Select(p => p.Key));
        foreach (var status in new[] { "400", "404", "409", "410", "413", "415", "429" })
        {
            Assert.Equal("#/components/schemas/Problem", responses[status]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        }
        Assert.Equal("#/components/schemas/ValidationProblem", responses["422"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task Token_endpoints_name_their_scope_and_problem_details_and_public_ones_need_no_token()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        using var anonymous = app.CreatePlainClient();
        var doc = JsonNode.Parse(await anonymous.GetStringAsync(OpenApi.Route, Ct))!;

        Assert.Equal("bearer", doc["components"]!["securitySchemes"]!["token"]!["scheme"]!.GetValue<string>());
        var export = doc["paths"]!["/api/v1/procedures/{procedureId}/cases/export"]!["get"]!;
        Assert.Equal(["cases:read"], export["security"]![0]!["token"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains(export["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "format" && p["in"]!.GetValue<string>() == "query");
        Assert.Equal("uuid", export["parameters"]![0]!["schema"]!["format"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ValidationProblem", export["responses"]!["422"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(export["responses"]!["401"]);
        Assert.NotNull(export["responses"]!["404"]);
        var status = doc["paths"]!["/api/v1/cases/{id}/status"]!["post"]!;
        Assert.Equal(["cases:write"], status["security"]![0]!["token"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.NotNull(status["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!["status"]);
        Assert.Empty(doc["paths"]!["/api/v1/postcodes/{code}"]!["get"]!["security"]!.AsArray());
    }
}
