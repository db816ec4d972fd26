using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Postcodes;

/// <summary>
/// Postcode lookup for address autofill on residents' forms: public data (Japan Post's), so the
/// endpoint is anonymous, cookie-free and rate limited like the other public endpoints.
/// </summary>
public static class PostcodesModule
{
    public sealed record Address(
        string Prefecture, string City, string Town, string PrefectureKana, string CityKana, string TownKana, string Note, string CityCode);

    public sealed record Lookup(string Code, IReadOnlyList<Address> Addresses);

    public static WebApplicationBuilder AddPostcodes(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PostcodeImporter>();
        return builder;
    }

    public static WebApplication MapPostcodes(this WebApplication app)
    {
        app.MapGet("/api/v1/postcodes/{code}", async (string code, MadoguchiDbContext db, CancellationToken ct) =>
        {
            var valid = PostcodeField.Validate(code);
            if (!valid.IsValid)
            {
                return InsightModule.Invalid(valid.Errors.Select(e => new KpiError("code", e.Code, e.Message.Ja)).ToList());
            }
            var found = await FindAsync(db, valid.Value, ct);
            if (found.Count == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "郵便番号が見つかりません。",
                    detail: $"郵便番号 {valid.Value} は登録されていません。番号を確かめるか、住所を直接入力してください。");
            }
            return Results.Ok(new Lookup(valid.Value, found));
        }).AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithName("PostcodeLookup");
        return app;
    }

    /// <summary>The addresses of a postcode ("135-0016" or "1350016"), in the order Japan Post lists them.</summary>
    public static async Task<IReadOnlyList<Address>> FindAsync(MadoguchiDbContext db, string code, CancellationToken ct)
    {
        if (PostcodeField.Digits(code) is not { } digits) return [];
        return await db.Postcodes.AsNoTracking().Where(p => p.Code == digits).OrderBy(p => p.Id)
            .Select(p => new Address(p.Prefecture, p.City, p.Town, p.PrefectureKana, p.CityKana, p.TownKana, p.Note, p.CityCode))
            .ToListAsync(ct);
    }
}
