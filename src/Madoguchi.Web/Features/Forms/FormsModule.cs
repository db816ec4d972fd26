using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Madoguchi.Web.Shared;

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
        api.MapGet("/{slug}", async (string slug, FormService forms, CancellationToken ct) =>
        {
            var version = await forms.CurrentVersionAsync(slug, ct);
            if (version is null) return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"公開中のフォーム '{slug}' はありません。");
            var definition = FormService.Definition(version.DefinitionJson);
            return Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("slug", definition.Slug);
                w.WriteString("procedure", definition.ProcedureCode);
                w.WriteNumber("version", version.Number);
                w.WriteString("sha256", version.Sha256);
                w.WriteString("publishedAt", version.PublishedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                // The definition exactly as published; the same text `form export SLUG --version N` writes.
                w.WritePropertyName("definition");
                w.WriteRawValue(version.DefinitionJson, skipInputValidation: true);
                w.WriteEndObject();
            });
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
