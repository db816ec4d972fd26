using Madoguchi.Web.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Madoguchi.Web.Features.Staff;

public static class StaffModule
{
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
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MadoguchiDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.AddScoped<StaffScope>();
        builder.Services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "madoguchi.staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/staff/signin";
            o.LogoutPath = "/staff/signout";
            o.AccessDeniedPath = "/staff/denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // An API client gets a status code, not an HTML sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiOr(ctx.Request, ctx.Response, 401, ctx.RedirectUri);
            o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx.Request, ctx.Response, 403, ctx.RedirectUri);
        });
        builder.Services.AddAuthorizationBuilder()
            // Secure by default: anything not marked public needs a signed-in member of staff.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.InventoryWrite, p => p.RequireRole(Roles.Admin, Roles.Dx))
            .AddPolicy(Policies.InventoryRead, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Manager, Roles.Staff, Roles.Auditor))
            // The whole inventory leaves the system: only roles that may see every department.
            .AddPolicy(Policies.InventoryExport, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Auditor))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
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
        app.MapPost("/staff/signout", async (SignInManager<StaffUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/staff/signin?signedOut=true");
        }).RequireAuthorization();
        return app;
    }
}

public static class Policies
{
    public const string InventoryRead = "inventory:read";
    public const string InventoryWrite = "inventory:write";
    public const string InventoryExport = "inventory:export";
    public const string Admin = "admin";
}
