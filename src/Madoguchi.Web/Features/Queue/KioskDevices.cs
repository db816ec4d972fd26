using System.Security.Cryptography;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// Ticket machines. A device's token ("kiosk_{id}_{secret}") is shown once; only the SHA-256 of the
/// secret is stored. A browser kiosk exchanges the token once for a long-lived cookie holding it
/// encrypted (Data Protection), checked against the database on every request so a revocation takes
/// effect at once (docs/security.md).
/// </summary>
public sealed class KioskDevices(MadoguchiDbContext db, TimeProvider clock, AuditTrail audit, IDataProtectionProvider protection)
{
    public const string CookieName = "madoguchi.kiosk";
    private const string Purpose = "Madoguchi.Queue.KioskCookie";

    public sealed record Registered(KioskDevice Device, string Token);

    public async Task<Registered> RegisterAsync(Guid officeId, string name, CancellationToken ct)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > 100) throw new QueueException(422, "name-required", "発券機の名前を1〜100文字で指定してください（例: 1階 発券機A）。");
        if (!await db.Offices.AnyAsync(o => o.Id == officeId, ct)) throw new QueueException(404, "office-not-found", $"庁舎 {officeId} はありません。");
        var secret = RandomNumberGenerator.GetBytes(32);
        var device = new KioskDevice { OfficeId = officeId, Name = trimmed, TokenHash = Hash(secret), CreatedAt = clock.GetUtcNow() };
        db.KioskDevices.Add(device);
        await audit.AppendAsync(new AuditEvent("queue.kiosk.registered", "kiosk", device.Id.ToString()) { Detail = $"office={officeId} name={trimmed}" }, ct);
        return new Registered(device, KioskDevice.Prefix + device.Id.ToString("N") + "_" + Base64Url(secret));
    }

    public async Task<bool> RevokeAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.KioskDevices.Where(d => d.Id == id && d.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(d => d.RevokedAt, now), ct) == 0) return false;
        await audit.AppendAsync(new AuditEvent("queue.kiosk.revoked", "kiosk", id.ToString()), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The active device a token belongs to; null for a malformed, unknown or revoked token.</summary>
    public async Task<KioskDevice?> AuthenticateAsync(string? token, CancellationToken ct)
    {
        if (Parse(token) is not { } parsed) return null;
        var device = await db.KioskDevices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == parsed.Id, ct);
        if (device is null || device.RevokedAt is not null) return null;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(parsed.Secret)), Encoding.ASCII.GetBytes(device.TokenHash)) ? device : null;
    }

    /// <summary>The device of a request: the bearer token, else the kiosk cookie.</summary>
    public Task<KioskDevice?> FromRequestAsync(HttpRequest request, CancellationToken ct)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateAsync(header["Bearer ".Length..].Trim(), ct);
        return AuthenticateAsync(ReadCookie(request), ct);
    }

    public void WriteCookie(HttpResponse response, string token) => response.Cookies.Append(CookieName, protection.CreateProtector(Purpose).Protect(token), new CookieOptions
    {
        HttpOnly = true,
        Secure = response.HttpContext.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        MaxAge = TimeSpan.FromDays(400),
        IsEssential = true,
        Path = "/kiosk",
    });

    public static void DeleteCookie(HttpResponse response) => response.Cookies.Delete(CookieName, new CookieOptions { Path = "/kiosk" });

    private string? ReadCookie(HttpRequest request)
    {
        if (request.Cookies[CookieName] is not { Length: > 0 } value) return null;
        try
        {
            return protection.CreateProtector(Purpose).Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static string Hash(byte[] secret) => Convert.ToHexStringLower(SHA256.HashData(secret));

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (Guid Id, byte[] Secret)? Parse(string? token)
    {
        if (token is null || !token.StartsWith(KioskDevice.Prefix, StringComparison.Ordinal) || token.Length < KioskDevice.Prefix.Length + 34) return null;
        var rest = token[KioskDevice.Prefix.Length..];
        if (rest[32] != '_' || !Guid.TryParseExact(rest[..32], "N", out var id)) return null;
        var s = rest[33..].Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        Span<byte> buffer = stackalloc byte[64];
        if (!Convert.TryFromBase64String(s, buffer, out var n) || n != 32) return null;
        return (id, buffer[..n].ToArray());
    }
}
