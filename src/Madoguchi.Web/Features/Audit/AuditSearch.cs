using System.Globalization;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Shared;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Audit;

/// <summary>Search and CSV export of the trail, shared by the auditor's page and `audit export`.</summary>
public static class AuditSearch
{
    /// <summary>Dates are Japan dates, both inclusive; text filters match exactly (actor, action) or by prefix (target).</summary>
    public sealed record Filter(DateOnly? From, DateOnly? To, string? Actor = null, string? Action = null, string? Target = null);

    public static IQueryable<AuditEntry> Apply(MadoguchiDbContext db, Filter f)
    {
        var q = db.AuditEntries.AsQueryable();
        if (f.From is { } from) { var start = StartOf(from); q = q.Where(e => e.At >= start); }
        if (f.To is { } to) { var end = StartOf(to.AddDays(1)); q = q.Where(e => e.At < end); }
        if (!string.IsNullOrWhiteSpace(f.Actor))
        {
            var actor = f.Actor.Trim();
            q = q.Where(e => e.Actor == actor || e.ActorName == actor);
        }
        if (!string.IsNullOrWhiteSpace(f.Action)) { var action = f.Action.Trim(); q = q.Where(e => e.Action == action); }
        if (!string.IsNullOrWhiteSpace(f.Target))
        {
            // "procedure" or "procedure:<id>" or just an id.
            var t = f.Target.Trim();
            var colon = t.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) { var type = t[..colon]; var id = t[(colon + 1)..]; q = q.Where(e => e.TargetType == type && e.TargetId == id); }
            else q = q.Where(e => e.TargetType == t || e.TargetId == t);
        }
        return q;
    }

    /// <summary>Midnight of a Japan date as a UTC instant.</summary>
    public static DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, JapanTime.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public const string CsvHeader = "sequence,at_jst,actor,actor_name,action,target_type,target_id,department_id,detail,client_address,previous_hash,hash";

    /// <summary>One CSV line (RFC 4180, formula-safe through <see cref="CsvCell"/>).</summary>
    public static string CsvLine(AuditEntry e)
    {
        var at = TimeZoneInfo.ConvertTime(e.At, JapanTime.Zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        return string.Join(",", new[]
        {
            e.Sequence.ToString(CultureInfo.InvariantCulture), at, e.Actor, e.ActorName, e.Action, e.TargetType, e.TargetId ?? "",
            e.DepartmentId?.ToString("D") ?? "", e.Detail, e.ClientAddress ?? "", e.PreviousHash, e.Hash,
        }.Select(CsvCell.Escape));
    }

    public static async Task WriteCsvAsync(IAsyncEnumerable<AuditEntry> entries, TextWriter writer, CancellationToken ct)
    {
        await writer.WriteAsync(CsvHeader + "\r\n");
        await foreach (var e in entries.WithCancellation(ct)) await writer.WriteAsync(CsvLine(e) + "\r\n");
        await writer.FlushAsync(ct);
    }

    public static async Task WriteCsvAsync(IEnumerable<AuditEntry> entries, TextWriter writer, CancellationToken ct)
    {
        await writer.WriteAsync(CsvHeader + "\r\n");
        foreach (var e in entries) await writer.WriteAsync(CsvLine(e) + "\r\n");
        await writer.FlushAsync(ct);
    }

    public static readonly Encoding Utf8Bom = new UTF8Encoding(true);
}
