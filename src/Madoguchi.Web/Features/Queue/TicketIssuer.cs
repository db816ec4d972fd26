using System.Security.Cryptography;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>A refusal the caller shows as is: an HTTP status, a stable code and a Japanese message.</summary>
public sealed class QueueException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

public sealed record IssueRequest(string Language = "ja", bool Priority = false);

public sealed record IssuedTicket(Ticket Ticket, QueueService Service, Office Office, int Ahead)
{
    /// <summary>The wait estimate shown at issue (slip, API), logged with the ticket for the accuracy report.</summary>
    public Waits.Estimated? Estimate { get; init; }
}

/// <summary>
/// Issues numbered tickets. A number is the next free one in the service's range for the office and
/// Japan date (else in the office's overflow range), taken inside one write transaction that is
/// serialised per office (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE write lock), with the
/// unique index (office, date, number) as the last word.
/// </summary>
public sealed class TicketIssuer(MadoguchiDbContext db, TimeProvider clock, BusinessCalendarService calendar, IQueueNotifier notifier)
{
    // Mixed into each office's advisory lock key so it never meets another module's lock.
    private const long LockSalt = 0x5175657565000000;

    public async Task<IssuedTicket> IssueAsync(Guid officeId, Guid serviceId, IssueRequest request, string? kioskName, CancellationToken ct)
    {
        var office = await db.Offices.AsNoTracking().FirstOrDefaultAsync(o => o.Id == officeId, ct)
            ?? throw new QueueException(404, "office-not-found", "その庁舎はありません。");
        var service = await db.QueueServices.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serviceId && s.OfficeId == officeId, ct)
            ?? throw new QueueException(404, "service-not-found", "この庁舎にその受付内容はありません。");
        var now = clock.GetUtcNow();
        await EnsureOpenAsync(office, now, ct);
        var language = Shared.Localization.Lang.Parse(request.Language) is { } l ? Shared.Localization.Lang.Code(l) : "ja";
        var today = JapanTime.DateOf(now);
        // Read before the write transaction (it is serialised per office): service times and counters barely move meanwhile.
        var inputs = await Waits.WaitInputs.LoadAsync(db, officeId, now, [service], ct);

        for (var attempt = 0; ; attempt++)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LockKey(officeId)], ct);
            }
            var (number, overflow) = await NextNumberAsync(office, service, today, ct);
            var ticket = new Ticket
            {
                OfficeId = officeId,
                ServiceDate = today,
                Number = number,
                Overflow = overflow,
                ServiceId = serviceId,
                Status = TicketStatus.Waiting,
                ArrivedAt = now,
                QueuedAt = now,
                Priority = request.Priority,
                Language = language,
                StatusToken = NewToken(),
                KioskName = kioskName,
            };
            db.Tickets.Add(ticket);
            db.TicketEvents.Add(new TicketEvent { TicketId = ticket.Id, OfficeId = officeId, ServiceDate = today, Kind = TicketEventKind.Issued, At = now, ServiceId = serviceId });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Only when a writer outside this code took the number: the lock makes it otherwise impossible.
                db.ChangeTracker.Clear();
                continue;
            }
            var ahead = await QueueQueries.AheadAsync(db, ticket, now, ct);
            var estimate = inputs.Estimate(serviceId, 0, ahead);
            // Logged in the same transaction as the ticket: every ticket's shown estimate is in the accuracy report.
            db.WaitEstimates.Add(new Waits.WaitEstimate
            {
                TicketId = ticket.Id,
                OfficeId = officeId,
                ServiceId = serviceId,
                ServiceDate = today,
                IssuedAt = now,
                Ahead = ahead,
                Low = estimate.Range.Low,
                High = estimate.Range.High,
                IsDefault = estimate.IsDefault,
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            await notifier.OfficeChangedAsync(officeId, ct);
            return new IssuedTicket(ticket, service, office, ahead) { Estimate = estimate };
        }
    }

    /// <summary>Refuses outside opening hours (409) unless the office takes tickets at any hour.</summary>
    public async Task EnsureOpenAsync(Office office, DateTimeOffset now, CancellationToken ct)
    {
        if (office.TicketsAnyHour) return;
        var local = TimeZoneInfo.ConvertTime(now, JapanTime.Zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var business = await calendar.LoadAsync(ct);
        if (business.ClosedReason(date) is { } reason)
        {
            throw new QueueException(409, "closed-day", $"本日（{date:M月d日}）は{reason}のため、{office.Name}では発券していません。次の開庁日の {office.OpensAt:H:mm} から発券します。");
        }
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (time < office.OpensAt || time >= office.ClosesAt)
        {
            throw new QueueException(409, "outside-hours", $"{office.Name}の発券時間は {office.OpensAt:H:mm}〜{office.ClosesAt:H:mm} です。現在（{time:H:mm}）は発券できません。");
        }
    }

    private async Task<(int Number, bool Overflow)> NextNumberAsync(Office office, QueueService service, DateOnly today, CancellationToken ct)
    {
        if (await NextInRangeAsync(office.Id, today, service.RangeFrom, service.RangeTo, ct) is { } own) return (own, false);
        if (office.OverflowFrom is int from && office.OverflowTo is int to && await NextInRangeAsync(office.Id, today, from, to, ct) is { } spare)
        {
            return (spare, true);
        }
        throw new QueueException(409, "numbers-exhausted",
            $"「{service.Name}」の番号（{service.RangeFrom}〜{service.RangeTo}）" + (office.OverflowFrom is null ? "" : $"と予備の番号（{office.OverflowFrom}〜{office.OverflowTo}）") +
            "を今日はすべて使いました。職員にお声がけください。");
    }

    private async Task<int?> NextInRangeAsync(Guid officeId, DateOnly today, int from, int to, CancellationToken ct)
    {
        var max = await db.Tickets.Where(t => t.OfficeId == officeId && t.ServiceDate == today && t.Number >= from && t.Number <= to)
            .MaxAsync(t => (int?)t.Number, ct);
        var next = max is int m ? m + 1 : from;
        return next <= to ? next : null;
    }

    private static long LockKey(Guid officeId) => BitConverter.ToInt64(officeId.ToByteArray(), 8) ^ LockSalt;

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
