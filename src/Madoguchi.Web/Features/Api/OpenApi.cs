using System.Reflection;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Api;

/// <summary>
/// The OpenAPI 3.1 document of /api/v1, built from the app's own endpoints (routes, methods, handler
/// parameters, authorization policies and their token scopes), so a new API is described the moment it
/// is mapped; a test fails when one is missing. Written by hand rather than with a generator package:
/// the minimal APIs here return IResult, which carries no response type to reflect on.
/// </summary>
public static class OpenApi
{
    public const string Route = "/api/v1/openapi.json";
    public const string Prefix = "/api/v1";

    public static void MapOpenApi(this WebApplication app)
    {
        app.MapGet(Route, (EndpointDataSource endpoints, IOptions<AuthorizationOptions> authorization) => Results.Text(Build(endpoints, authorization.Value).ToJsonString(), "application/json; charset=utf-8"))
            .AllowAnonymous().WithDisplayName("OpenAPI document");
    }

    private static readonly HashSet<Type> Injected = [typeof(HttpContext), typeof(HttpRequest), typeof(HttpResponse), typeof(ClaimsPrincipal), typeof(CancellationToken)];

    public static JsonObject Build(EndpointDataSource source, AuthorizationOptions authorization)
    {
        var paths = new JsonObject();
        var endpoints = source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => ("/" + (e.RoutePattern.RawText ?? "").Trim('/')).StartsWith(Prefix + "/", StringComparison.Ordinal))
            .OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal);
        foreach (var e in endpoints)
        {
            var path = PathOf(e.RoutePattern);
            if (paths[path] is not JsonObject item) paths[path] = item = new JsonObject();
            foreach (var method in e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                item[method.ToLowerInvariant()] = Operation(e, method, authorization);
            }
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Madoguchi API",
                ["version"] = "1",
                ["description"] = "窓口（Madoguchi）の API。誤りは RFC 9457 の problem details（application/problem+json）で返し、入力の誤り（422）は errors: [{field, code, message}] に日本語で理由を書きます。"
                    + "職員向けの API は個人アクセストークン（Authorization: Bearer mdg_…）で呼び、トークンのスコープが必要です。所属課以外の手続・申請は 404 です。",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["token"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["description"] = "職員の個人アクセストークン（/staff/profile で発行）。スコープ: "
                            + string.Join("、", ApiTokens.Scopes.Select(s => $"{s.Key}（{s.Value}）")),
                    },
                },
                ["schemas"] = new JsonObject
                {
                    ["Problem"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["description"] = "RFC 9457 problem details",
                        ["properties"] = new JsonObject
                        {
                            ["type"] = new JsonObject { ["type"] = "string" },
                            ["title"] = new JsonObject { ["type"] = "string" },
                            ["status"] = new JsonObject { ["type"] = "integer" },
                            ["detail"] = new JsonObject { ["type"] = "string" },
                        },
                    },
                    ["ValidationProblem"] = new JsonObject
                    {
                        ["allOf"] = new JsonArray(
                            new JsonObject { ["$ref"] = "#/components/schemas/Problem" },
                            new JsonObject
                            {
                                ["type"] = "object",
                                ["properties"] = new JsonObject
                                {
                                    ["errors"] = new JsonObject
                                    {
                                        ["type"] = "array",
                                        ["items"] = new JsonObject
                                        {
                                            ["type"] = "object",
                                            ["properties"] = new JsonObject
                                            {
                                                ["field"] = new JsonObject { ["type"] = "string" },
                                                ["code"] = new JsonObject { ["type"] = "string" },
                                                ["message"] = new JsonObject { ["type"] = "string", ["description"] = "日本語: どの値がなぜ使えないか、どう直すか" },
                                            },
                                        },
                                    },
                                    ["omittedErrors"] = new JsonObject
                                    {
                                        ["type"] = "integer",
                                        ["description"] = "申請の API では errors は最初の100件まで。それを超えた誤りの件数（超えたときだけ）",
                                    },
                                },
                            }),
                    },
                },
            },
        };
    }

    /// <summary>/api/v1/cases/{id:guid} → /api/v1/cases/{id} (OpenAPI paths carry no constraints).</summary>
    public static string PathOf(RoutePattern pattern)
        => "/" + string.Join("/", pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternParameterPart pp => "{" + pp.Name + "}",
            RoutePatternSeparatorPart sp => sp.Content,
            _ => "",
        }))));

    private static JsonObject Operation(RouteEndpoint e, string method, AuthorizationOptions authorization)
    {
        var handler = e.Metadata.GetMetadata<MethodInfo>();
        var op = new JsonObject
        {
            ["operationId"] = $"{method.ToLowerInvariant()}{string.Concat(PathOf(e.RoutePattern).Split('/', '{', '}', '-', '.').Select(Capitalise))}",
            ["summary"] = e.DisplayName ?? handler?.Name ?? PathOf(e.RoutePattern),
        };
        var parameters = new JsonArray();
        var routeNames = e.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var p in e.RoutePattern.Parameters)
        {
            var isGuid = p.ParameterPolicies.Any(x => x.Content == "guid");
            parameters.Add(new JsonObject
            {
                ["name"] = p.Name,
                ["in"] = "path",
                ["required"] = true,
                ["schema"] = isGuid ? new JsonObject { ["type"] = "string", ["format"] = "uuid" } : new JsonObject { ["type"] = "string" },
            });
        }
        Type? body = null;
        foreach (var p in handler?.GetParameters() ?? [])
        {
            if (p.Name is null || routeNames.Contains(p.Name) || Injected.Contains(p.ParameterType)) continue;
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            if (Simple(type))
            {
                var header = p.GetCustomAttribute<Microsoft.AspNetCore.Mvc.FromHeaderAttribute>();
                parameters.Add(new JsonObject { ["name"] = header?.Name ?? p.Name, ["in"] = header is null ? "query" : "header", ["required"] = false, ["schema"] = Schema(type) });
            }
        }
        // Headers a handler reads itself (e.g. Idempotency-Key), declared on the endpoint.
        foreach (var h in e.Metadata.GetOrderedMetadata<ApiHeader>())
        {
            parameters.Add(new JsonObject { ["name"] = h.Name, ["in"] = "header", ["required"] = false, ["description"] = h.Description, ["schema"] = new JsonObject { ["type"] = "string" } });
        }
        // The JSON body minimal APIs read, as they declare it (services are never bodies).
        body = e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType ?? e.Metadata.GetMetadata<ApiBody>()?.Type;
        if (parameters.Count > 0) op["parameters"] = parameters;
        if (body is not null)
        {
            op["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = ObjectSchema(body) } },
            };
        }

        // Statuses the endpoint declares (Produces, ProducesProblem); a success it does not declare is 200.
        var declared = e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>();
        var responses = new JsonObject();
        foreach (var d in declared.Where(d => d.StatusCode is >= 200 and < 300))
        {
            responses[d.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = d.Type is { } t && t != typeof(void)
                ? new JsonObject { ["description"] = "成功", ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = ObjectSchema(t) } } }
                : new JsonObject { ["description"] = "成功" };
        }
        if (responses.Count == 0) responses["200"] = new JsonObject { ["description"] = "成功" };
        foreach (var d in declared.Where(d => d.StatusCode is >= 400 and not 422))
        {
            responses[d.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Problem(d.Description ?? ProblemDescription(d.StatusCode));
        }
        var scopes = Scopes(e, authorization);
        if (e.Metadata.GetMetadata<IAllowAnonymous>() is not null || scopes is null)
        {
            op["security"] = new JsonArray();
        }
        else
        {
            op["security"] = new JsonArray(new JsonObject { ["token"] = new JsonArray([.. scopes.Select(s => (JsonNode)JsonValue.Create(s)!)]) });
            responses["401"] = Problem("トークンがない、または無効・失効・期限切れ");
            responses["403"] = Problem("トークンに必要なスコープ（" + string.Join("、", scopes) + "）または役割がない");
        }
        if (e.RoutePattern.Parameters.Count > 0) responses["404"] = Problem("見つからない（所属課以外の手続・申請も 404）");
        responses["422"] = new JsonObject
        {
            ["description"] = "入力の誤り（errors に項目ごとの理由）",
            ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ValidationProblem" } } },
        };
        responses["429"] = Problem("呼び出しが多すぎる（しばらく待って再試行）");
        op["responses"] = responses;
        return op;
    }

    /// <summary>The token scopes the endpoint's policies require; null when it needs no sign-in.</summary>
    private static IReadOnlyList<string>? Scopes(RouteEndpoint e, AuthorizationOptions authorization)
    {
        var data = e.Metadata.GetOrderedMetadata<IAuthorizeData>();
        if (data.Count == 0) return null;
        return [.. data.Select(d => d.Policy is { } name ? authorization.GetPolicy(name) : null).OfType<AuthorizationPolicy>()
            .SelectMany(p => p.Requirements.OfType<ScopeRequirement>()).Select(r => r.Scope).Distinct()];
    }

    private static string ProblemDescription(int status) => status switch
    {
        400 => "本文が読めない（JSON でない、UTF-8 でない、同じ名前が2回ある）、またはヘッダーの誤り",
        404 => "見つからない",
        409 => "受け付けられない状態（上限・期間など）",
        410 => "受付を停止している",
        413 => "本文が大きすぎる",
        415 => "本文が JSON でない（Content-Type: application/json で送る）",
        _ => "誤り",
    };

    private static JsonObject Problem(string description) => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
    };

    private static bool Simple(Type t) => t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid) || t == typeof(DateOnly) || t == typeof(DateTimeOffset);

    private static JsonObject Schema(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string)) return new() { ["type"] = "string" };
        if (t == typeof(bool)) return new() { ["type"] = "boolean" };
        if (t == typeof(int) || t == typeof(long) || t == typeof(short)) return new() { ["type"] = "integer" };
        if (t == typeof(decimal) || t == typeof(double) || t == typeof(float)) return new() { ["type"] = "number" };
        if (t == typeof(Guid)) return new() { ["type"] = "string", ["format"] = "uuid" };
        if (t == typeof(DateOnly)) return new() { ["type"] = "string", ["format"] = "date" };
        if (t == typeof(DateTimeOffset)) return new() { ["type"] = "string", ["format"] = "date-time" };
        if (t.IsEnum) return new() { ["type"] = "string", ["enum"] = new JsonArray([.. Enum.GetNames(t).Select(n => (JsonNode)JsonValue.Create(n)!)]) };
        return new() { ["type"] = "object" };
    }

    private static JsonObject ObjectSchema(Type t)
    {
        var properties = new JsonObject();
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            properties[char.ToLowerInvariant(p.Name[0]) + p.Name[1..]] = Simple(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) ? Schema(p.PropertyType) : new JsonObject();
        }
        return new JsonObject { ["type"] = "object", ["properties"] = properties };
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}

/// <summary>A request header an endpoint reads itself, for the OpenAPI document.</summary>
public sealed record ApiHeader(string Name, string Description);

/// <summary>
/// The JSON body of an endpoint that reads its request itself, for the OpenAPI document only.
/// (Accepts() would also make routing match on Content-Type, and its 415 would fall to the sign-in
/// policy as a 401; such a handler answers a wrong Content-Type itself.)
/// </summary>
public sealed record ApiBody(Type Type);
