using System.Security.Claims;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Web.Features.Staff;

public static class StaffModule
{
    /// <summary>Cookie-authenticated pages, or tokens under /api (never both on one path).</summary>
    public const string StaffScheme = "staff";

    public static WebApplicationBuilder AddStaff(this WebApplicationBuilder builder)
    {
        builder.Services
            .AddIdentityCore<StaffUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.MaxFailedAccessAttempts = SignInThrottle.MaxFailures;
                o.Lockout.DefaultLockoutTimeSpan = SignInThrottle.Window;
                o.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MadoguchiDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<StaffScope>();
        builder.Services.AddScoped<StaffSessions>();
        builder.Services.AddScoped<StaffSignIn>();
        builder.Services.AddScoped<StaffTotp>();
        builder.Services.AddScoped<ApiTokens>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        builder.Services.Configure<SessionOptions>(builder.Configuration.GetSection("Madoguchi:Sessions"));
        var sessionOptions = builder.Configuration.GetSection("Madoguchi:Sessions").Get<SessionOptions>() ?? new SessionOptions();

        builder.Services.AddAuthentication(StaffScheme)
            .AddPolicyScheme(StaffScheme, "Staff", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Path.StartsWithSegments("/api") ? ApiTokenHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "madoguchi.staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request is HTTPS (directly or through a proxy's X-Forwarded-Proto).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/staff/signin";
            o.LogoutPath = "/staff/signout";
            o.AccessDeniedPath = "/staff/denied";
            // The server session enforces the idle limit; the cookie never outlives the absolute one.
            o.ExpireTimeSpan = TimeSpan.FromHours(sessionOptions.AbsoluteHours);
            o.SlidingExpiration = false;
            o.Events.OnValidatePrincipal = StaffSessions.ValidateAsync;
            // An API client gets a status code, not an HTML sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiOr(ctx.Request, ctx.Response, 401, ctx.RedirectUri);
            o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx.Request, ctx.Response, 403, ctx.RedirectUri);
        });
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.Name = "madoguchi.pending";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(10);
        });
        // The periodic security-stamp refresh rebuilds the principal: keep the session id and the second factor.
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = ctx =>
        {
            var keep = ctx.CurrentPrincipal?.Claims.Where(c => c.Type is StaffSessions.SessionClaim or StaffSessions.MfaClaim).ToList() ?? [];
            if (ctx.NewPrincipal?.Identity is ClaimsIdentity identity) identity.AddClaims(keep);
            return Task.CompletedTask;
        });

        builder.Services.AddAuthorizationBuilder()
            // Secure by default: anything not marked public needs a signed-in member of staff.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.InventoryWrite, p => p.RequireRole(Roles.Admin, Roles.Dx).AddRequirements(new ScopeRequirement("inventory:write")))
            // Residents' submissions: staff of the owning department (checked per form), admin and dx; not auditors.
            .AddPolicy(Policies.SubmissionsRead, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Manager, Roles.Staff).AddRequirements(new ScopeRequirement("submissions:read")))
            .AddPolicy(Policies.InventoryRead, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Manager, Roles.Staff, Roles.Auditor).AddRequirements(new ScopeRequirement("inventory:read")))
            // The whole inventory leaves the system: only roles that may see every department.
            .AddPolicy(Policies.InventoryExport, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Auditor).AddRequirements(new ScopeRequirement("inventory:export")))
            // The audit trail: read by auditors and admins only (it names staff and where they connected from).
            .AddPolicy(Policies.Audit, p => p.RequireRole(Roles.Admin, Roles.Auditor).AddRequirements(new ScopeRequirement("audit:read")))
            // Ledgers hold applicants' answers: the procedure's department (checked per case) and admins; not dx or auditors.
            .AddPolicy(Policies.Cases, p => p.RequireRole(Roles.Admin, Roles.Manager, Roles.Staff).AddRequirements(new ScopeRequirement("cases:read")))
            .AddPolicy(Policies.CasesWrite, p => p.RequireRole(Roles.Admin, Roles.Manager, Roles.Staff).AddRequirements(new ScopeRequirement("cases:write")))
            // Counter staff call and move tickets; managers and admins stand in at a counter.
            .AddPolicy(Policies.QueueWrite, p => p.RequireRole(Roles.Admin, Roles.Manager, Roles.Staff, Roles.Counter).AddRequirements(new ScopeRequirement("queue:write")))
            // Queue statistics (no personal data): every staff role, dx included.
            .AddPolicy(Policies.QueueRead, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Manager, Roles.Staff, Roles.Counter, Roles.Auditor).AddRequirements(new ScopeRequirement("queue:read")))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin).AddRequirements(new ScopeRequirement("admin:write")))
            // 個人番号 is a permission of its own, granted per account: no role (not even admin) implies it,
            // and no token scope carries it.
            .AddPolicy(Policies.MyNumber, p => p.RequireClaim(Permissions.ClaimType, Permissions.MyNumber).AddRequirements(new ScopeRequirement("my-number:read")));
        builder.AddRateLimits();
        builder.AddPasskeys();
        builder.AddOidc();
        return builder;
    }

    private static Task ApiOr(HttpRequest request, HttpResponse response, int status, string redirect)
    {
        if (request.Path.StartsWithSegments("/api"))
        {
            response.StatusCode = status;
            return Task.CompletedTask;
        }
        response.Redirect(redirect);
        return Task.CompletedTask;
    }

    public static WebApplication MapStaff(this WebApplication app)
    {
        app.MapPost("/staff/signout", async (HttpContext ctx, IAntiforgery antiforgery, StaffSessions sessions, SignInManager<StaffUser> signIn, AuditTrail audit) =>
        {
            // A cookie-authenticated unsafe method: the form's antiforgery token is required.
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            await audit.AppendAsync(new AuditEvent(AuditActions.SignOut, "staff-user", ctx.User.FindFirstValue(ClaimTypes.NameIdentifier)));
            await sessions.EndAsync(ctx.User.FindFirstValue(StaffSessions.SessionClaim));
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/staff/signin?signedOut=true");
        }).RequireAuthorization();
        // The timeout warning of staff pages (WCAG 2.2.1): staff-session.js asks how long is left and
        // offers to stay signed in before the idle limit ends the session and loses what is being typed.
        app.MapGet(StaffSessions.StatusPath, async (HttpContext ctx, StaffSessions sessions) =>
        {
            var sid = ctx.User.FindFirstValue(StaffSessions.SessionClaim);
            var userId = ctx.User.FindFirstValue(ClaimTypes.NameIdentifier);
            var left = sid is null || userId is null ? null : await sessions.RemainingAsync(sid, userId, ctx.RequestAborted);
            ctx.Response.Headers.CacheControl = "no-store";
            return left is { } l
                ? Results.Json(new { signedIn = true, idleSeconds = l.Idle, absoluteSeconds = l.Absolute })
                : Results.Json(new { signedIn = false });
        }).AllowAnonymous();
        app.MapPost(StaffSessions.StatusPath, async (HttpContext ctx, IAntiforgery antiforgery, StaffSessions sessions) =>
        {
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.BadRequest();
            var returnUrl = (await ctx.Request.ReadFormAsync(ctx.RequestAborted))["returnUrl"].ToString();
            var extended = await sessions.ExtendAsync(ctx.User.FindFirstValue(StaffSessions.SessionClaim)!, ctx.RequestAborted);
            if (ctx.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return extended ? Results.NoContent() : Results.Json(new { signedIn = false }, statusCode: StatusCodes.Status409Conflict);
            }
            // Without the script: the form posts and comes back to the page it was on.
            var back = LocalPaths.Or(returnUrl, "/staff");
            return Results.LocalRedirect(extended ? back : "/staff/signin?returnUrl=" + Uri.EscapeDataString(back));
        }).RequireAuthorization();
        app.MapPasskeys();
        app.MapOidc();
        return app;
    }
}

public static class Policies
{
    public const string InventoryRead = "inventory:read";
    public const string SubmissionsRead = "submissions:read";
    public const string InventoryWrite = "inventory:write";
    public const string InventoryExport = "inventory:export";
    public const string Admin = "admin";
    /// <summary>Calling and moving queue tickets at a counter (console page, or a token with queue:write).</summary>
    public const string QueueWrite = "queue:write";
    /// <summary>Reading the queue statistics (窓口の統計).</summary>
    public const string QueueRead = "queue:read";
    /// <summary>Searching and exporting the audit trail.</summary>
    public const string Audit = "audit";
    /// <summary>Viewing or exporting 個人番号 (DESIGN.md §4.3).</summary>
    public const string MyNumber = "my-number";
    /// <summary>Working on cases in the ledgers of one's department (administrators: all).</summary>
    public const string Cases = "cases";
    /// <summary>Changing cases (status, notes) through the API; pages check the same roles with <see cref="Cases"/>.</summary>
    public const string CasesWrite = "cases:write";
}

/// <summary>Permissions granted to an account on top of its role, stored as Identity user claims.</summary>
public static class Permissions
{
    public const string ClaimType = "madoguchi:permission";
    public const string MyNumber = "my-number";
    public static readonly string[] All = [MyNumber];
}
