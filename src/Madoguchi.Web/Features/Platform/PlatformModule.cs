using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Platform;

public static class PlatformModule
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MunicipalityService>();
        builder.Services.AddScoped<BusinessCalendarService>();
        builder.Services.AddSingleton<BusinessCalendarCache>();
        return builder;
    }
}

/// <summary>Reads and writes the one municipality row; a new database answers with defaults.</summary>
public sealed class MunicipalityService(MadoguchiDbContext db, TimeProvider clock)
{
    public async Task<Municipality> GetAsync(CancellationToken ct = default)
        => await db.Municipalities.AsNoTracking().FirstOrDefaultAsync(m => m.Id == Municipality.SingletonId, ct)
           ?? new Municipality();

    public async Task<Municipality> SetAsync(string? name, string? code, RoundingMode? rounding, CancellationToken ct = default)
    {
        // Accept "１３１０８３" as typed; store the canonical ASCII form.
        var typed = code;
        code = CheckDigits.NormalizeDigits(code);
        if (code is not null && !LocalGovernmentCode.IsValid(code))
        {
            throw new ArgumentException($"全国地方公共団体コード '{typed}' が正しくありません。6桁で、6桁目は検査数字です（例: 江東区 131083）。");
        }
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("団体名が空です。");
        }
        var m = await db.Municipalities.FirstOrDefaultAsync(x => x.Id == Municipality.SingletonId, ct);
        if (m is null)
        {
            m = new Municipality();
            db.Municipalities.Add(m);
        }
        if (name is not null) m.Name = name.Trim();
        if (code is not null) m.Code = code;
        if (rounding is not null) m.Rounding = rounding.Value;
        m.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return m;
    }
}
