using System.Reflection;
using System.Text.Json;

namespace Madoguchi.Web.Features.Api;

/// <summary>
/// Reads JSON request bodies of the API so that every fault gets a problem+json that says what is wrong
/// (the framework's own binding answers a bad body with an empty 400 or 415, and a name given twice or an
/// invalid string only fails later, as a 500).
/// </summary>
public static class JsonBodies
{
    public sealed record Fault(string Title, string Detail);

    /// <summary>Bodies of the staff API are small records; a larger one is refused unread.</summary>
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false };

    /// <summary>The first property name given twice in one object, or string that is not text, anywhere in the document; null when none.</summary>
    public static Fault? FirstFault(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return NotText(path);
                    }
                    var at = $"{path}.{name}";
                    if (!names.Add(name))
                    {
                        return new("同じ名前のプロパティが2回あります。", $"{at} が同じオブジェクトの中に2回以上あります。どちらの値を使うか決められないため、1回だけにしてください。");
                    }
                    if (FirstFault(property.Value, at) is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstFault(item, $"{path}[{i++}]") is { } inner) return inner;
                }
                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return NotText(path);
                }
            default:
                return null;
        }
    }

    private static Fault NotText(string path) => new("文字列として読めない値があります。",
        $"{path} の中に、文字として読めない \\u エスケープ（対になっていないサロゲートなど）があります。UTF-8 の文字のまま送ってください。");

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the problem to answer with: 415 when it is not JSON, 413 when too
    /// large, 400 naming the property whose value has the wrong type (or the name given twice, or the bytes that
    /// are not UTF-8).
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            var sent = request.ContentType is { Length: > 0 } type ? $"送られた Content-Type は '{type}' です。" : "Content-Type がありません。";
            return (null, Problem(415, "本文が JSON ではありません。", $"本文は Content-Type: application/json の JSON で送ってください。{sent}"));
        }
        if (request.ContentLength > MaxBytes) return (null, TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[8 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxBytes) return (null, TooLarge());
            buffer.Write(chunk, 0, n);
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty) return (null, NotAnObject<T>("本文がありません。"));
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return (null, Problem(400, "本文が UTF-8 ではありません。", "本文は UTF-8 の JSON で送ってください（UTF-8 として読めないバイトがあります）。"));
        }
        try
        {
            using (var document = JsonDocument.Parse(bytes))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, NotAnObject<T>("本文が JSON のオブジェクトではありません。"));
                if (FirstFault(document.RootElement) is { } fault) return (null, Problem(400, fault.Title, fault.Detail));
            }
            return (JsonSerializer.Deserialize<T>(bytes.Span, Options), null);
        }
        catch (JsonException e)
        {
            return (null, Problem(400, "本文の JSON が読めません。", Explain<T>(e)));
        }
    }

    /// <summary>"revision は整数で指定してください（$.revision）" for a value of the wrong type; the parser's position otherwise.</summary>
    private static string Explain<T>(JsonException e)
    {
        var path = e.Path ?? "$";
        var name = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        var property = name is null ? null : typeof(T).GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is not null)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var expected = type == typeof(string) ? "文字列（\"…\"）" : type == typeof(int) || type == typeof(long) ? "整数" : type == typeof(bool) ? "true か false" : "正しい型の値";
            return $"{name} は{expected}で指定してください（{path} の値が読めません）。";
        }
        return $"本文を JSON のオブジェクトで送ってください（{e.LineNumber + 1}行目付近、{path}）。";
    }

    private static IResult NotAnObject<T>(string what) => Problem(400, what,
        $"{what}本文に JSON のオブジェクト（{{{string.Join(", ", typeof(T).GetProperties().Select(p => $"\"{JsonNamingPolicy.CamelCase.ConvertName(p.Name)}\": …"))}}}）を送ってください。");

    private static IResult TooLarge() => Problem(413, "リクエストが大きすぎます。", $"本文は{MaxBytes / 1024}KBまでです。");

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
