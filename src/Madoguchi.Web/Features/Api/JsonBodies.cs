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
        var (document, problem) = await ParseAsync(request, MaxBytes, contentTypeRequired: true, NotAnObject<T>("本文がありません。"), ct);
        if (document is null) return (null, problem);
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, NotAnObject<T>("本文が JSON のオブジェクトではありません。"));
            try
            {
                return (document.RootElement.Deserialize<T>(Options), null);
            }
            catch (JsonException e)
            {
                return (null, Problem(400, "本文の JSON が読めません。", Explain<T>(e)));
            }
        }
    }

    /// <summary>
    /// The body parsed (the caller disposes it), or the problem to answer with: 415 when it is marked as
    /// something other than JSON (or, with <paramref name="contentTypeRequired"/>, not marked at all), 413 over
    /// <paramref name="maxBytes"/>, 400 when it is empty, not UTF-8, not JSON, or gives a name twice. The one
    /// reader of every API body, the submission API's included.
    /// </summary>
    /// <param name="whenEmpty">The 400 for an empty body, saying what the endpoint expects.</param>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ParseAsync(HttpRequest request, int maxBytes, bool contentTypeRequired, IResult whenEmpty, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A body marked as something else is not read as JSON (curl -d marks it as form data): say what to send.
        if ((contentTypeRequired || request.ContentType is { Length: > 0 }) && !request.HasJsonContentType())
        {
            var sent = request.ContentType is { Length: > 0 } type ? $"送られた Content-Type は '{type}' です。" : "Content-Type がありません。";
            return (null, Problem(415, "本文の種類（Content-Type）が JSON ではありません。", $"本文は Content-Type: application/json を付けて JSON で送ってください。{sent}"));
        }
        if (request.ContentLength > maxBytes) return (null, TooLarge(maxBytes));
        // Read into a rented buffer and parsed where it lies: the submission API runs this for every application.
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var buffer = new MemoryStream();
            int n;
            while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > maxBytes) return (null, TooLarge(maxBytes));
                buffer.Write(chunk, 0, n);
            }
            var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty) return (null, whenEmpty);
            // The JSON reader leaves the bytes inside strings unchecked until they are read: checked here, a
            // value cannot fail later (as a 500) on a byte that is not UTF-8.
            if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
            {
                return (null, Problem(400, "本文が UTF-8 ではありません。", "本文は UTF-8 の JSON で送ってください（UTF-8 として読めないバイトがあります。Shift_JIS などで送っていないか確かめてください）。"));
            }
            JsonDocument document;
            try
            {
                // Parsed where it lies: the stream's own array (not the rented chunk) lives as long as the document.
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                return (null, Problem(400, "JSON として読めません。", $"本文を JSON で送ってください（{e.LineNumber + 1}行目付近: {e.Message}）。"));
            }
            // Read through once here: a name given twice would otherwise surface only when the value is read
            // (and then as a 500), and which of the two values counts would be a guess.
            if (FirstFault(document.RootElement) is { } fault)
            {
                document.Dispose();
                return (null, Problem(400, fault.Title, fault.Detail));
            }
            return (document, null);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
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

    private static IResult TooLarge(int maxBytes) => Problem(413, "リクエストが大きすぎます。", $"本文は{maxBytes / 1024}KBまでです。");

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
