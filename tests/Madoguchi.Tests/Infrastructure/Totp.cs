using System.Security.Cryptography;

namespace Madoguchi.Tests.Infrastructure;

/// <summary>RFC 6238 codes computed independently of the app, as an authenticator app would.</summary>
public static class Totp
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> LastStep = new();

    /// <summary>
    /// The code of the next time step not yet used with this key: the app accepts each step once, so a
    /// second sign-in within 30 seconds takes the next code (accepted up to two steps ahead), as a
    /// person would wait for the app's next code.
    /// </summary>
    public static string Next(string base32Key)
    {
        var key = base32Key.Replace(" ", "", StringComparison.Ordinal);
        while (true)
        {
            var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 30;
            var last = LastStep.GetOrAdd(key, now - 1);
            var step = Math.Max(now, last + 1);
            if (step > now + 1) { Thread.Sleep(1000); continue; }
            if (LastStep.TryUpdate(key, step, last)) return Code(key, DateTimeOffset.FromUnixTimeSeconds(step * 30));
        }
    }

    public static string Code(string base32Key, DateTimeOffset at)
    {
        var key = Base32(base32Key.Replace(" ", "", StringComparison.Ordinal));
        var counter = at.ToUnixTimeSeconds() / 30;
        Span<byte> msg = stackalloc byte[8];
        for (var i = 7; i >= 0; i--, counter >>= 8) msg[i] = (byte)(counter & 0xff);
        var hash = HMACSHA1.HashData(key, msg);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string s)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in s.TrimEnd('=').ToUpperInvariant())
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
