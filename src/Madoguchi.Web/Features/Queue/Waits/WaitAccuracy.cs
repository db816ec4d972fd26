using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue.Waits;

/// <summary>
/// One line of the accuracy report. <see cref="Called"/> tickets are those with a real wait (issued and
/// called in the period); the mean absolute error compares the middle of the shown range with the
/// real wait; <see cref="Inside"/> counts real waits within the shown range (bounds included).
/// </summary>
public sealed record AccuracyLine(Guid? ServiceId, string Name, int Issued, int Called, int Inside, int Defaults, long AbsErrorSeconds)
{
    /// <summary>Minutes with one decimal from whole seconds (integer arithmetic, the municipality's rounding); null for no called ticket.</summary>
    public decimal? MaeMinutes(RoundingMode rounding) => WaitAccuracy.Tenths(AbsErrorSeconds, Called * 60L, rounding);

    public decimal? InsidePercent(RoundingMode rounding) => Percent.Of(Inside, Called, rounding);
}

public sealed record AccuracyReport(Guid OfficeId, string OfficeName, DateOnly From, DateOnly To, RoundingMode Rounding, IReadOnlyList<AccuracyLine> Services, AccuracyLine Overall);

/// <summary>How right the wait estimates shown at issue were, per service and overall, for an office and period of Japan dates.</summary>
public sealed class WaitAccuracy(MadoguchiDbContext db, MunicipalityService municipality)
{
    public async Task<AccuracyReport?> ReportAsync(Guid officeId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Id == officeId, ct);
        if (office is null) return null;
        var rounding = (await municipality.GetAsync(ct)).Rounding;
        var rows = await db.WaitEstimates.AsNoTracking().Where(w => w.OfficeId == officeId && w.ServiceDate >= from && w.ServiceDate <= to)
            .Select(w => new { w.ServiceId, w.Low, w.High, w.IsDefault, w.WaitSeconds }).ToListAsync(ct);
        var services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == officeId).OrderBy(s => s.SortOrder).ThenBy(s => s.RangeFrom).ToListAsync(ct);
        AccuracyLine Line(Guid? id, string name, IEnumerable<(int Low, int High, bool IsDefault, int? WaitSeconds)> items)
        {
            var list = items.ToList();
            var called = list.Where(x => x.WaitSeconds is not null).ToList();
            // The middle of the range in seconds is (low + high) × 30: whole numbers throughout.
            var abs = called.Sum(x => (long)Math.Abs(x.WaitSeconds!.Value - (x.Low + x.High) * 30));
            var inside = called.Count(x => x.WaitSeconds >= x.Low * 60 && x.WaitSeconds <= x.High * 60);
            return new AccuracyLine(id, name, list.Count, called.Count, inside, list.Count(x => x.IsDefault), abs);
        }
        var tuples = rows.Select(r => (r.ServiceId, Item: (r.Low, r.High, r.IsDefault, r.WaitSeconds))).ToList();
        var lines = services.Where(s => tuples.Any(t => t.ServiceId == s.Id))
            .Select(s => Line(s.Id, s.Name, tuples.Where(t => t.ServiceId == s.Id).Select(t => t.Item))).ToList();
        return new AccuracyReport(office.Id, office.Name, from, to, rounding, lines, Line(null, "合計", tuples.Select(t => t.Item)));
    }

    /// <summary>part ÷ whole with one decimal, half-up or truncated, from integers; null when whole is 0.</summary>
    public static decimal? Tenths(long part, long whole, RoundingMode rounding)
    {
        if (whole == 0) return null;
        var numerator = (Int128)part * 10;
        var tenths = rounding == RoundingMode.Truncate ? numerator / whole : (2 * numerator + whole) / (2 * (Int128)whole);
        return (decimal)(long)tenths / 10m;
    }
}
