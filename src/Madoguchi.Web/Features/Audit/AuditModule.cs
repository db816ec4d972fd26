namespace Madoguchi.Web.Features.Audit;

public static class AuditModule
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection(AuditOptions.Section));
        builder.Services.AddSingleton<AuditCheckpoints>();
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddHostedService<AuditCheckpointWriter>();
        return builder;
    }
}
