using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared;
using Microsoft.Net.Http.Headers;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// Online application forms. The public API lists published forms and gives the current published
/// definition; both are anonymous (a form is public by nature) and rate limited per address.
/// </summary>
public static class FormsModule
{
    public static WebApplicationBuilder AddForms(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<FormService>();
        builder.Services.AddScoped<PublishChecks>();
        builder.Services.AddSingleton<FormDocuments>();
        return builder;
    }

    public static WebApplication MapForms(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/forms").AllowAnonymous().RequireRateLimiting(RateLimits.Public);
        api.MapGet("", async (FormService forms, CancellationToken ct) =>
        {
            var items = await forms.PublishedAsync(ct);
            return Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("items");
                foreach (var f in items)
                {
                    w.WriteStartObject();
                    w.WriteString("slug", f.Slug);
                    w.WriteString("procedure", f.Procedure);
                    w.WriteString("title", f.Title);
                    w.WriteNumber("version", f.Version);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
        api.MapGet("/{slug}", async (string slug, HttpContext http, MadoguchiDbContext db, PublishedForms published, FormDocuments documents, CancellationToken ct) =>
        {
            // The version a new application is filled in against: none when unpublished or stopped.
            var version = await published.ForNewDraftAsync(db, slug, ct);
            if (version is null) return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"公開中のフォーム '{slug}' はありません。");
            var document = await documents.GetAsync(db, version, ct);
            // Public and cacheable, but a new version may be published at any time: clients revalidate.
            http.Response.Headers.ETag = document.ETag.ToString();
            http.Response.Headers.CacheControl = "no-cache";
            return EntityTagHeaderValue.TryParseList(http.Request.Headers.IfNoneMatch, out var tags) && document.IsNamedBy(tags)
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(document.Json, "application/json; charset=utf-8");
        });
        return app;
    }

    private static IResult Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }
        return Results.Text(Encoding.UTF8.GetString(stream.ToArray()), "application/json", Encoding.UTF8);
    }
}
