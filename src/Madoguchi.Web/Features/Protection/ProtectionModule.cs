using Madoguchi.Web.Data;

namespace Madoguchi.Web.Features.Protection;

public static class ProtectionModule
{
    public static WebApplicationBuilder AddProtection(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration[KeyRingStore.Setting];
        // Storage comes from DI (a test host swaps in its own database), so the folder is resolved there.
        builder.Services.AddSingleton(sp => new KeyRingStore(KeyRingStore.ResolveFolder(configured, sp.GetRequiredService<Storage>())));
        builder.Services.AddSingleton<KeyRingGuard>();
        builder.Services.AddScoped<PersonalDataVault>();
        builder.Services.AddScoped<KeyRotation>();
        builder.Services.AddScoped<Backups>();
        // Features/Audit registers the real implementation; until then reads are only logged.
        builder.Services.AddHostedService<KeyRingStartupCheck>();
        builder.Services.AddHostedService<ReencryptionService>();
        return builder;
    }
}
