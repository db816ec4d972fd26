using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Madoguchi.Web.Features.Home;

/// <summary>
/// Every error without a body of its own comes here (status-code pages and the exception handler).
/// Pages get a page in the reader's language; calls under /api get RFC 9457 problem details, as the
/// API promises everywhere (a rate-limited or unknown API call used to get this HTML page).
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[NoStore]
public sealed class ErrorModel(ILogger<ErrorModel> log) : PageModel
{
    public int Status { get; private set; }

    /// <summary>
    /// For a failure of the server (an exception): the request's id, shown to the resident as 問い合わせ番号
    /// and written to the log with the failure, so that the IT staff can find what a caller reports.
    /// </summary>
    public string? Reference { get; private set; }

    /// <summary>For 429: how long the limiter asks to wait (its Retry-After), in seconds.</summary>
    public int? RetryAfterSeconds { get; private set; }

    public IActionResult OnGet(int? status) => Respond(status);
    public IActionResult OnPost(int? status) => Respond(status);
    // A re-executed request keeps its method: without these a refused PUT, PATCH or DELETE rendered an empty page.
    public IActionResult OnPut(int? status) => Respond(status);
    public IActionResult OnPatch(int? status) => Respond(status);
    public IActionResult OnDelete(int? status) => Respond(status);

    private IActionResult Respond(int? status)
    {
        Status = status ?? 500;
        if (int.TryParse(Response.Headers.RetryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) RetryAfterSeconds = seconds;
        var failure = HttpContext.Features.Get<IExceptionHandlerPathFeature>();
        if (failure is not null)
        {
            Reference = HttpContext.TraceIdentifier;
            // The exception handler has logged the exception itself; this line ties it to the number the caller reads out.
            log.LogError("問い合わせ番号 {Reference}: {Method} {Path} failed with {Exception}", Reference, Request.Method, RequestLog.Redact(failure.Path, QueryString.Empty), failure.Error.GetType().Name);
        }
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath ?? failure?.Path;
        return original is not null && original.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) ? ApiProblem() : Page();
    }

    private ContentResult ApiProblem()
    {
        var (title, detail) = Status switch
        {
            400 => ("リクエストを処理できませんでした。", "リクエストの形を確かめてください。"),
            // The re-executed request still carries the caller's headers and the endpoint it was refused at.
            401 when Request.Headers.Authorization.Count == 0 => ("認証が必要です。", "Authorization ヘッダーがありません。Authorization: Bearer mdg_… の形で API トークンを付けてください。"),
            401 => ("認証が必要です。", "API トークンが無効です（形が違う、失効した、または期限切れ）。Authorization: Bearer mdg_… の値と、トークンの状態（/staff/profile）を確かめてください。"),
            403 => ("この操作の権限がありません。", Scopes() is { Count: > 0 } scopes
                ? $"この API にはトークンのスコープ {string.Join("、", scopes)} が必要です。スコープと役割を確かめてください。"
                : "トークンのスコープと役割を確かめてください。"),
            404 => ("見つかりません。", "この URL の API はありません。GET /api/v1/openapi.json で一覧を確かめてください。"),
            405 => ("このメソッドは使えません。", "この URL が受け付ける HTTP メソッドを確かめてください。"),
            413 => ("リクエストが大きすぎます。", "送る内容を小さくしてください。"),
            // Routing refuses a body the endpoint does not accept (its Accepts metadata) before any handler runs.
            415 => ("本文の形式（Content-Type）が違います。", "本文は Content-Type: application/json の JSON で送ってください。"
                + (Request.ContentType is { Length: > 0 } type ? $"送られた Content-Type は '{type}' です。" : "Content-Type がありません。")),
            429 => ("リクエストが多すぎます。", $"短い時間のリクエストが上限を超えました。Retry-After の{RetryAfterSeconds ?? 60}秒が過ぎてから送り直してください。"),
            _ when Status >= 500 => ("サーバーで問題が起きました。", "時間をおいて送り直してください。続くときは管理者に連絡してください。"),
            _ => ("リクエストを処理できませんでした。", null),
        };
        var problem = new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = Status };
        if (detail is not null) problem["detail"] = detail;
        if (RetryAfterSeconds is { } wait) problem["retryAfter"] = wait;
        if (Reference is not null) problem["reference"] = Reference;
        Response.StatusCode = Status;
        return new ContentResult { Content = problem.ToJsonString(Json), ContentType = "application/problem+json; charset=utf-8", StatusCode = Status };
    }

    /// <summary>The token scopes the refused endpoint requires (as the OpenAPI document lists them).</summary>
    private IReadOnlyList<string>? Scopes()
    {
        var endpoint = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.Endpoint;
        var policies = HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthorizationOptions>>().Value;
        return endpoint?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(d => d.Policy is { } name ? policies.GetPolicy(name) : null).OfType<AuthorizationPolicy>()
            .SelectMany(p => p.Requirements.OfType<Staff.ScopeRequirement>()).Select(r => r.Scope).Distinct().ToList();
    }

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>"about 2 minutes" in the reader's language, for the 429 page.</summary>
    public static string Wait(int seconds, Language language)
    {
        if (seconds < 60)
        {
            return language switch { Language.En => seconds == 1 ? "1 second" : $"{seconds} seconds", Language.Easy => $"{seconds}びょう", _ => $"{seconds}秒" };
        }
        var minutes = (seconds + 59) / 60;
        return language switch
        {
            Language.En => minutes == 1 ? "1 minute" : $"{minutes} minutes",
            // 1ぷん, 2ふん, 3ぷん … 10ぷん: the reading follows the last digit.
            Language.Easy => $"{minutes}" + (minutes % 10 is 2 or 5 or 7 or 9 ? "ふん" : "ぷん"),
            _ => $"{minutes}分",
        };
    }
}
