using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Staff;

/// <summary>Creates, lists and revokes personal access tokens; the secret is returned once, never stored.</summary>
public sealed class ApiTokens(MadoguchiDbContext db, TimeProvider clock, IUserClaimsPrincipalFactory<StaffUser> principals, IAuthorizationService auth, AuditTrail audit)
{
    public const string Prefix = "mdg_";
    public const string TokenClaim = "token_id";
    public const string ScopeClaim = "scope";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);
    /// <summary>The furthest expiry a token may be given, in years from today.</summary>
    public const int MaxYears = 5;

    /// <summary>Each scope a token may carry, and the policy its owner must pass to grant it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Scopes = new Dictionary<string, string>
    {
        ["inventory:read"] = Policies.InventoryRead,
        ["inventory:write"] = Policies.InventoryWrite,
        ["cases:read"] = Policies.Cases,
        ["cases:write"] = Policies.CasesWrite,
        ["queue:write"] = Policies.QueueWrite,
    };

    public sealed record Created(ApiToken Token, string Secret);

    /// <summary>Throws <see cref="ArgumentException"/> with a Japanese message on bad input.</summary>
    public async Task<Created> CreateAsync(StaffUser owner, string name, string scopes, DateOnly? expires, CancellationToken ct = default)
    {
        var list = scopes.Split([',', ' ', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (list.Count == 0) throw new ArgumentException("スコープを1つ以上指定してください（例: inventory:read）。");
        var unknown = list.Where(s => !Scopes.ContainsKey(s)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"スコープ {string.Join(", ", unknown)} はありません。{string.Join(", ", Scopes.Keys)} から選んでください。");
        }
        // Never stronger than its owner: each scope needs the owner to hold the matching permission now.
        var principal = await principals.CreateAsync(owner);
        foreach (var s in list)
        {
            if (!(await auth.AuthorizeAsync(principal, Scopes[s])).Succeeded)
            {
                throw new ArgumentException($"スコープ {s} は、このアカウントの権限では付与できません。");
            }
        }
        var now = clock.GetUtcNow();
        var today = JapanTime.Today(clock);
        DateTimeOffset until;
        if (expires is { } d)
        {
            if (d < today) throw new ArgumentException($"有効期限 {d:yyyy-MM-dd} は過去の日付です。今日以降の日付を指定してください。");
            // A token that never expires is a secret that outlives the people and systems that hold it.
            if (d > today.AddYears(MaxYears)) throw new ArgumentException($"有効期限 {d:yyyy-MM-dd} は遠すぎます。{MaxYears}年以内（{today.AddYears(MaxYears):yyyy-MM-dd} まで）の日付を指定し、長く使う連携には期限の前に新しいトークンを作ってください。");
            // Valid through the whole of that day in Japan time.
            until = new DateTimeOffset(d.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(9));
        }
        else
        {
            until = now + DefaultLifetime;
        }
        var secret = RandomNumberGenerator.GetBytes(32);
        var token = new ApiToken
        {
            UserId = owner.Id,
            Name = name.Trim().Length > 0 ? name.Trim() : "API",
            Scopes = string.Join(",", list),
            SecretHash = Hash(secret),
            CreatedAt = now,
            ExpiresAt = until,
        };
        db.ApiTokens.Add(token);
        // Saved with its audit entry (never the secret or its hash).
        await audit.AppendAsync(new AuditEvent(AuditActions.TokenCreated, "api-token", token.Id.ToString())
        {
            DepartmentId = owner.DepartmentId,
            Detail = $"owner={owner.Id} scopes={token.Scopes} expires={until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}",
        }, ct);
        return new Created(token, Prefix + token.Id.ToString("N") + "_" + Base64Url(secret));
    }

    public Task<List<ApiToken>> ListAsync(string userId, CancellationToken ct = default)
        => db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt).ToListAsync(ct);

    /// <summary>Revokes a token of this owner; false when there is none.</summary>
    public async Task<bool> RevokeAsync(string userId, Guid id, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var revoked = await db.ApiTokens.Where(t => t.Id == id && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, now), ct) > 0;
        if (!revoked) return false;
        await audit.AppendAsync(new AuditEvent(AuditActions.TokenRevoked, "api-token", id.ToString()) { Detail = $"owner={userId}" }, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public static string Hash(byte[] secret) => Convert.ToHexStringLower(SHA256.HashData(secret));

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Splits "mdg_{id}_{secret}"; null when it is not of that shape.</summary>
    public static (Guid Id, byte[] Secret)? Parse(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + 34) return null;
        var rest = token[Prefix.Length..];
        if (rest[32] != '_' || !Guid.TryParseExact(rest[..32], "N", out var id)) return null;
        var s = rest[33..].Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        Span<byte> buffer = stackalloc byte[64];
        if (!Convert.TryFromBase64String(s, buffer, out var n) || n != 32) return null;
        return (id, buffer[..n].ToArray());
    }
}

/// <summary>
/// "Authorization: Bearer mdg_…" for the staff parts of /api/v1. The principal carries the owner's
/// current roles (so a token never outlives a lost role) and the token's scopes.
/// </summary>
// The handler runs for every /api request, most of them anonymous (residents' submissions): the
// database and the user manager are resolved only when a token is presented.
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        if (ApiTokens.Parse(header["Bearer ".Length..].Trim()) is not { } parsed) return AuthenticateResult.Fail("malformed token");
        var db = Context.RequestServices.GetRequiredService<MadoguchiDbContext>();
        var users = Context.RequestServices.GetRequiredService<UserManager<StaffUser>>();
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == parsed.Id, Context.RequestAborted);
        var hash = Encoding.ASCII.GetBytes(ApiTokens.Hash(parsed.Secret));
        if (token is null || !CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(token.SecretHash))) return AuthenticateResult.Fail("unknown token");
        var now = clock.GetUtcNow();
        if (token.RevokedAt is not null) return AuthenticateResult.Fail("revoked token");
        if (token.ExpiresAt <= now) return AuthenticateResult.Fail("expired token");
        var user = await users.FindByIdAsync(token.UserId);
        if (user is null || (user.LockoutEnd is { } end && end > now)) return AuthenticateResult.Fail("owner unavailable");

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id),
            new(ClaimTypes.Name, user.UserName ?? ""),
            new(ApiTokens.TokenClaim, token.Id.ToString()),
        };
        claims.AddRange((await users.GetRolesAsync(user)).Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(token.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(ApiTokens.ScopeClaim, s)));
        if (token.LastUsedAt is null || now - token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}

/// <summary>A token must carry the scope of the policy; a cookie session is limited by roles alone.</summary>
public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        if (!user.HasClaim(c => c.Type == ApiTokens.TokenClaim))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        // "module:write" includes "module:read" of the same module.
        var module = requirement.Scope.Split(':')[0];
        if (user.HasClaim(ApiTokens.ScopeClaim, requirement.Scope)
            || (requirement.Scope.EndsWith(":read", StringComparison.Ordinal) && user.HasClaim(ApiTokens.ScopeClaim, module + ":write")))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
