namespace Madoguchi.Web.Features.Audit;

public static class AuditModule
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection(AuditOptions.Section));
        builder.Services.AddSingleton<AuditCheckpoints>();
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<Protection.IPersonalDataReadAudit, AuditedPersonalDataReads>();
        builder.Services.AddHostedService<AuditCheckpointWriter>();
        return builder;
    }
}

/// <summary>
/// Every read of a sensitive value from the vault writes a "viewed" entry in the vault's own
/// transaction (the context is the request's, shared with the trail): no entry, no value.
/// </summary>
internal sealed class AuditedPersonalDataReads(AuditTrail audit) : Protection.IPersonalDataReadAudit
{
    public Task RecordAsync(Data.MadoguchiDbContext db, Protection.PersonalDataRead read, CancellationToken ct)
        => audit.AppendAsync(new AuditEvent(AuditActions.PersonalDataViewed, read.OwnerType, read.OwnerId) { Detail = $"{read.Field}（{read.Purpose}）" }, ct);
}
