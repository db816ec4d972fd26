using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Platform;

public static class PlatformModule
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MunicipalityService>();
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
        if (code is not null && !LocalGovernmentCode.IsValid(code))
        {
            throw new ArgumentException($"全国地方公共団体コード '{code}' が正しくありません。6桁で、6桁目は検査数字です（例: 江東区 131083）。");
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

/// <summary>全国地方公共団体コード: 5 digits and a check digit (11 − Σ(d·[6,5,4,3,2]) mod 11) mod 10.</summary>
public static class LocalGovernmentCode
{
    public static bool IsValid(string? code)
    {
        if (code is null || code.Length != 6) return false;
        foreach (var c in code) if (c is < '0' or > '9') return false;
        return code[5] - '0' == CheckDigit(code.AsSpan(0, 5));
    }

    public static int CheckDigit(ReadOnlySpan<char> five)
    {
        int[] weights = [6, 5, 4, 3, 2];
        var sum = 0;
        for (var i = 0; i < 5; i++) sum += (five[i] - '0') * weights[i];
        return (11 - sum % 11) % 10;
    }
}
