using System.Security.Cryptography;

namespace Madoguchi.BrowserTests.Infrastructure;

/// <summary>RFC 6238 (HMAC-SHA1, 30 s, 6 digits), computed as an authenticator app would.</summary>
public static class Totp
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> LastStep = new();

    /// <summary>
    /// The code of the next 30-second step not yet used with this key: the app accepts each code once,
    /// so a second sign-in within the same step takes the next code (the app accepts it early).
    /// </summary>
    public static string Now(string base32Key)
    {
        var key = base32Key.Replace(" ", "", StringComparison.Ordinal);
        while (true)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
            var last = LastStep.GetOrAdd(key, now - 1);
            var step = Math.Max(now, last + 1);
            if (step > now + 1) { Thread.Sleep(1000); continue; }
            if (LastStep.TryUpdate(key, step, last)) return Code(key, DateTimeOffset.FromUnixTimeSeconds(step * 30));
        }
    }

    public static string Code(string base32Key, DateTimeOffset at)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var key = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in base32Key.Replace(" ", "", StringComparison.Ordinal).TrimEnd('='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                key.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        var counter = at.ToUnixTimeSeconds() / 30;
        var msg = new byte[8];
        for (var i = 7; i >= 0; i--, counter >>= 8) msg[i] = (byte)(counter & 0xff);
        var hash = HMACSHA1.HashData(key.ToArray(), msg);
        var o = hash[^1] & 0x0f;
        var n = ((hash[o] & 0x7f) << 24) | (hash[o + 1] << 16) | (hash[o + 2] << 8) | hash[o + 3];
        return (n % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }
}
