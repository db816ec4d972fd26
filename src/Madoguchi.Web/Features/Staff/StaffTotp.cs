using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Staff;

/// <summary>
/// Authenticator codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), each accepted at most once:
/// the step of the code is claimed in the database with a compare-and-set, so that a replay within
/// the code's window is refused on every app instance.
/// </summary>
public sealed class StaffTotp(UserManager<StaffUser> users, MadoguchiDbContext db)
{
    /// <summary>Steps either side of now that are accepted (clock drift of a phone), as Identity's own provider.</summary>
    public const int Drift = 2;

    /// <summary>True when the code is right and its time step is newer than the last one accepted; records it.</summary>
    public async Task<bool> AcceptAsync(StaffUser user, string code, CancellationToken ct = default)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || code.Length != 6 || !code.All(char.IsAsciiDigit)) return false;
        // Authenticator apps run on wall-clock time, not on the business clock the app is given
        // (tests move that one): the same clock as Identity's AuthenticatorTokenProvider.
        var step = MatchingStep(Base32(key), code, TimeProvider.System.GetUtcNow());
        if (step is not { } s) return false;
        var claimed = await db.Users.Where(u => u.Id == user.Id && (u.LastTotpStep == null || u.LastTotpStep < s))
            .ExecuteUpdateAsync(x => x.SetProperty(u => u.LastTotpStep, s), ct);
        if (claimed == 1) user.LastTotpStep = s;
        return claimed == 1;
    }

    public static long? MatchingStep(byte[] key, string code, DateTimeOffset now)
    {
        var current = now.ToUnixTimeSeconds() / 30;
        for (var step = current - Drift; step <= current + Drift; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(key, step)), System.Text.Encoding.ASCII.GetBytes(code))) return step;
        }
        return null;
    }

    public static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(key, counter);
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
            var v = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0) continue;
            buffer = (buffer << 5) | v;
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
