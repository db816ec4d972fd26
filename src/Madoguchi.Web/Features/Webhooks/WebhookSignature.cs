using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Madoguchi.Web.Features.Webhooks;

public enum WebhookVerification
{
    Valid,
    /// <summary>The timestamp or signature header is missing or not in the documented form.</summary>
    Malformed,
    /// <summary>The timestamp is more than <see cref="WebhookSignature.Tolerance"/> away from now: a replay or a stale request.</summary>
    OutsideTolerance,
    /// <summary>No v1 signature matches the body and timestamp with this secret.</summary>
    BadSignature,
}

/// <summary>
/// How every webhook request is signed and how a receiver checks it (docs/webhooks.md):
/// <c>Madoguchi-Webhook-Signature: v1=hex(HMAC-SHA256(key = UTF-8 of the secret, message = timestamp + "." + body))</c>,
/// where the timestamp is the <c>Madoguchi-Webhook-Timestamp</c> header (Unix seconds) and the body the raw bytes.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "Madoguchi-Webhook-Id";
    public const string TypeHeader = "Madoguchi-Webhook-Event";
    public const string TimestampHeader = "Madoguchi-Webhook-Timestamp";
    public const string SignatureHeader = "Madoguchi-Webhook-Signature";
    public const string Scheme = "v1";
    public const string SecretPrefix = "whsec_";

    /// <summary>How far the timestamp may be from the receiver's clock, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>A new secret: "whsec_" and 32 random bytes in base64url (the whole string is the HMAC key).</summary>
    public static string NewSecret()
        => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The header value for a body sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
        => Scheme + "=" + Convert.ToHexStringLower(Mac(secret, timestamp.ToString(CultureInfo.InvariantCulture), body));

    /// <summary>
    /// Checks a received request: the timestamp within ±5 minutes of <paramref name="now"/>, and one of the
    /// space-separated <c>v1=</c> signatures equal (in constant time) to the one computed over the raw body.
    /// </summary>
    public static WebhookVerification Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)
            || timestamp.Length > 12 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookVerification.Malformed;
        }
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Tolerance.TotalSeconds) return WebhookVerification.OutsideTolerance;
        var expected = Mac(secret, timestamp, body);
        var any = false;
        foreach (var part in signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith(Scheme + "=", StringComparison.Ordinal)) continue;
            any = true;
            byte[] given;
            try
            {
                given = Convert.FromHexString(part.AsSpan(Scheme.Length + 1));
            }
            catch (FormatException)
            {
                continue;
            }
            if (CryptographicOperations.FixedTimeEquals(given, expected)) return WebhookVerification.Valid;
        }
        return any ? WebhookVerification.BadSignature : WebhookVerification.Malformed;
    }

    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }
}
