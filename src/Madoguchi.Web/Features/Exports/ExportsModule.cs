using Madoguchi.Web.Features.Staff;

namespace Madoguchi.Web.Features.Exports;

public static class ExportPolicies
{
    /// <summary>Managing a procedure's export template: staff and managers of its department (checked per page), DX and admins.</summary>
    public const string Templates = "exports:templates";
}

/// <summary>
/// Ledger exports (CSV UTF-8/cp932, XLSX, XLSX into a department's template) and the templates.
/// <see cref="ExportWriter"/> is the engine; <see cref="LedgerExports"/> adds templates, files and the audit.
/// </summary>
public static class ExportsModule
{
    public static WebApplicationBuilder AddExports(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<LedgerExports>();
        builder.Services.AddScoped<LedgerExportService>();
        builder.Services.Configure<ScheduledExportOptions>(builder.Configuration.GetSection(ScheduledExportOptions.Section));
        builder.Services.AddSingleton<ScheduledExportRunner>();
        builder.Services.AddHostedService<ScheduledExportJob>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ExportPolicies.Templates, p => p.RequireRole(Roles.Admin, Roles.Dx, Roles.Manager, Roles.Staff).AddRequirements(new ScopeRequirement("exports:write")));
        return builder;
    }

    public static WebApplication MapExports(this WebApplication app)
    {
        app.MapLedgerExportApi();
        return app;
    }
}
