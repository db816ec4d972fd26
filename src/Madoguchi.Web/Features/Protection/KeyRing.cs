using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Madoguchi.Web.Features.Protection;

/// <summary>One 256-bit key of the ring.</summary>
public sealed record ProtectionKeyMaterial(string Id, DateTimeOffset Created, byte[] Material)
{
    /// <summary>
    /// Key check value: HMAC-SHA256 of a fixed label under the key, first 8 bytes in hex. It identifies
    /// the key without revealing it, so the database and a backup manifest may hold it.
    /// </summary>
    public string CheckValue => Convert.ToHexStringLower(HMACSHA256.HashData(Material, "madoguchi key check value"u8)[..8]);
}

/// <summary>
/// The keys that encrypt sensitive fields: versioned ids (k1, k2 …), one current key for new values;
/// older keys stay until no value uses them. Immutable; changes return a new ring.
/// </summary>
public sealed class KeyRing
{
    public const int MaxKeyIdLength = 32;
    public const int KeyBytes = 32;
    public const string Format = "madoguchi-keyring";

    public string CurrentId { get; }
    public IReadOnlyList<ProtectionKeyMaterial> Keys { get; }

    public KeyRing(string currentId, IReadOnlyList<ProtectionKeyMaterial> keys)
    {
        if (keys.Count == 0 || keys.All(k => k.Id != currentId)) throw new ArgumentException("鍵リングに現在の鍵がありません。");
        foreach (var k in keys)
        {
            if (k.Material.Length != KeyBytes) throw new ArgumentException($"鍵 {k.Id} の長さが 256 ビットではありません。");
            if (k.Id.Length is 0 or > MaxKeyIdLength || !k.Id.All(char.IsAsciiLetterOrDigit)) throw new ArgumentException($"鍵 id '{k.Id}' は英数字 {MaxKeyIdLength} 文字までです。");
        }
        CurrentId = currentId;
        Keys = keys;
    }

    public ProtectionKeyMaterial Current => Keys.First(k => k.Id == CurrentId);

    public ProtectionKeyMaterial? Find(string id) => Keys.FirstOrDefault(k => k.Id == id);

    /// <summary>Identifies the whole ring (ids and check values), for manifests and messages.</summary>
    public string Fingerprint => FingerprintOf(Keys.Select(k => (k.Id, k.CheckValue)));

    public static string FingerprintOf(IEnumerable<(string Id, string CheckValue)> keys)
    {
        var text = string.Join("\n", keys.OrderBy(k => k.Id, StringComparer.Ordinal).Select(k => $"{k.Id}={k.CheckValue}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..8]);
    }

    public static KeyRing New(DateTimeOffset now) => new("k1", [NewKey("k1", now)]);

    /// <summary>A ring with one more key (the next number), which becomes current.</summary>
    public KeyRing Rotate(DateTimeOffset now)
    {
        var next = Keys.Max(k => int.TryParse(k.Id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0) + 1;
        var id = "k" + next.ToString(CultureInfo.InvariantCulture);
        return new KeyRing(id, [.. Keys, NewKey(id, now)]);
    }

    public KeyRing Without(string id)
    {
        if (id == CurrentId) throw new ArgumentException($"鍵 {id} は現在の鍵なので削除できません。");
        return new KeyRing(CurrentId, [.. Keys.Where(k => k.Id != id)]);
    }

    private static ProtectionKeyMaterial NewKey(string id, DateTimeOffset now) => new(id, now, RandomNumberGenerator.GetBytes(KeyBytes));

    private sealed record KeyJson(string Id, DateTimeOffset Created, string Material);
    private sealed record RingJson(string Format, int Version, string Current, List<KeyJson> Keys);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(
        new RingJson(Format, 1, CurrentId, [.. Keys.Select(k => new KeyJson(k.Id, k.Created, Convert.ToBase64String(k.Material)))]), Json);

    /// <exception cref="FormatException">Not a key ring of a known version.</exception>
    public static KeyRing FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var r = JsonSerializer.Deserialize<RingJson>(json, Json);
            if (r is null || r.Format != Format || r.Version != 1 || r.Keys is null) throw new FormatException("鍵リングの形式（madoguchi-keyring 版 1）ではありません。");
            return new KeyRing(r.Current, [.. r.Keys.Select(k => new ProtectionKeyMaterial(k.Id, k.Created, Convert.FromBase64String(k.Material)))]);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException("鍵リングを読めません: " + e.Message, e);
        }
    }
}
