using System.Text.Encodings.Web;
using System.Text.Json;

namespace Madoguchi.Web.Features.Insight;

/// <summary>
/// The one serialisation of KPI bodies, shared by the API and the CLI so that both print the same
/// bytes for the same parameters.
/// </summary>
public static class KpiJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Japanese stays readable; the body is served as application/json, never inlined into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Times (generatedAt …) in Japan time, like every time the API gives.
        Converters = { new Shared.Japanese.JapanTimeJsonConverter() },
    };

    /// <summary>The body, ending with a newline (so a terminal prompt starts on its own line).</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";
}
