namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The back office: every application as a case in its procedure's ledger (台帳), with its workflow,
/// assignee, due date, notes and 補正.
/// </summary>
public static class CasesModule
{
    public static WebApplicationBuilder AddCases(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<CaseService>();
        builder.Services.AddScoped<RetentionService>();
        builder.Services.AddHostedService<RetentionJob>();
        // Staff key paper applications through the residents' own form pages (docs/adr/0011).
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions>(o => o.Conventions.Add(new StaffKeying.Routes()));
        return builder;
    }

    public static WebApplication MapCases(this WebApplication app)
    {
        app.MapCasesApi();
        return app;
    }
}
