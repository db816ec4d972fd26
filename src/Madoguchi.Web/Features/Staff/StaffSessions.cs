using System.Security.Claims;
using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Staff;

/// <summary>Idle and absolute session limits (Madoguchi:Sessions:IdleMinutes / AbsoluteHours / WarningSeconds).</summary>
public sealed class SessionOptions
{
    public int IdleMinutes { get; set; } = 30;
    public int AbsoluteHours { get; set; } = 10;
    /// <summary>How long before the idle limit staff pages warn (at most half the limit).</summary>
    public int WarningSeconds { get; set; } = 120;
}

/// <summary>Starts, checks and ends server-side staff sessions.</summary>
public sealed class StaffSessions(MadoguchiDbContext db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<SessionOptions> options)
{
    public const string SessionClaim = "sid";
    /// <summary>GET: how long the session has left (for the timeout warning); POST: stay signed in.</summary>
    public const string StatusPath = "/staff/session";
    public const string MfaClaim = "amr";

    // Writing "last seen" on every request would make each page view a database write.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    // Runs on every signed-in request: compiled once (see AuditTrail). Tracked, for the touch below.
    private sealed class Queries
    {
        public readonly Func<MadoguchiDbContext, string, CancellationToken, Task<StaffSession?>> Find = EF.CompileAsyncQuery(
            (MadoguchiDbContext db, string id, CancellationToken _) => db.StaffSessions.FirstOrDefault(x => x.Id == id));
    }

    public async Task<string> StartAsync(string userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var session = new StaffSession
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            UserId = userId,
            CreatedAt = now,
            LastSeenAt = now,
        };
        db.StaffSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    /// <summary>
    /// True when the session is open and within both limits; refreshes its last-seen time unless
    /// <paramref name="touch"/> is false (the page script asking how long is left must not keep it alive).
    /// </summary>
    public async Task<bool> IsAliveAsync(string sessionId, string userId, CancellationToken ct = default, bool touch = true)
    {
        var s = await PerModel<Queries>.Of(db).Find(db, sessionId, ct);
        if (s is null || s.UserId != userId || s.EndedAt is not null) return false;
        var now = clock.GetUtcNow();
        var o = options.Value;
        if (now - s.LastSeenAt > TimeSpan.FromMinutes(o.IdleMinutes) || now - s.CreatedAt > TimeSpan.FromHours(o.AbsoluteHours))
        {
            s.EndedAt = now;
            await db.SaveChangesAsync(ct);
            return false;
        }
        if (touch && now - s.LastSeenAt >= TouchInterval)
        {
            s.LastSeenAt = now;
            await db.SaveChangesAsync(ct);
        }
        return true;
    }

    /// <summary>Seconds left before the idle and the absolute limit end the session, without refreshing it; null when it has ended.</summary>
    public async Task<(int Idle, int Absolute)?> RemainingAsync(string sessionId, string userId, CancellationToken ct = default)
    {
        var s = await PerModel<Queries>.Of(db).Find(db, sessionId, ct);
        if (s is null || s.UserId != userId || s.EndedAt is not null) return null;
        var now = clock.GetUtcNow();
        var o = options.Value;
        var idle = s.LastSeenAt + TimeSpan.FromMinutes(o.IdleMinutes) - now;
        var absolute = s.CreatedAt + TimeSpan.FromHours(o.AbsoluteHours) - now;
        if (idle <= TimeSpan.Zero || absolute <= TimeSpan.Zero) return null;
        return ((int)idle.TotalSeconds, (int)absolute.TotalSeconds);
    }

    /// <summary>
    /// "Stay signed in": the idle limit starts again from now (the absolute limit stays). The request's
    /// cookie check has already found the session alive and within both limits; this only moves
    /// "last seen", which that check refreshes at most once a minute.
    /// </summary>
    public async Task<bool> ExtendAsync(string sessionId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return await db.StaffSessions.Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), ct) > 0;
    }

    public async Task EndAsync(string? sessionId, CancellationToken ct = default)
    {
        if (sessionId is null) return;
        var now = clock.GetUtcNow();
        await db.StaffSessions.Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
    }

    /// <summary>"Sign out everywhere": every open session of the user ends.</summary>
    public async Task<int> EndAllAsync(string userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return await db.StaffSessions.Where(s => s.UserId == userId && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
    }

    /// <summary>
    /// Cookie check on every request: a cookie without a live server session (signed out, timed
    /// out, signed out everywhere, or issued before the second factor) is refused and deleted.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        var principal = ctx.Principal;
        var sid = principal?.FindFirstValue(SessionClaim);
        var userId = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var mfa = principal?.HasClaim(MfaClaim, "mfa") == true;
        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<StaffSessions>();
        // GET /staff/session only reads how long is left: it must not count as activity.
        var request = ctx.HttpContext.Request;
        var touch = !(HttpMethods.IsGet(request.Method) && request.Path.Equals(StatusPath, StringComparison.OrdinalIgnoreCase));
        if (sid is null || userId is null || !mfa || !await sessions.IsAliveAsync(sid, userId, ctx.HttpContext.RequestAborted, touch))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(ctx);
    }
}
