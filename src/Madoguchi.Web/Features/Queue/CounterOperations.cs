using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Madoguchi.Web.Features.Queue;

public sealed class QueueOptions
{
    /// <summary>A ticket marked no-show goes back to the queue after this many minutes (once; a second no-show closes it).</summary>
    public int NoShowGraceMinutes { get; set; } = 10;
}

public enum CounterAction { CallNext, Recall, Hold, NoShow, Transfer, Complete }

/// <summary>What a counter action did, for the API's answer and the console's message.</summary>
public sealed record CounterResult(CounterAction Action, Ticket Ticket, QueueService Service, QueueCounter Counter)
{
    public string StepName => Service.StepNames.ElementAtOrDefault(Ticket.Step) ?? "";
}

/// <summary>
/// The counter's actions, used by the API and the console page alike. Each action changes one ticket
/// with a conditional UPDATE on its version (two counters never get the same ticket), records a ticket
/// event and an audit entry in the same transaction, then tells the live layer.
/// </summary>
public sealed class CounterOperations(
    MadoguchiDbContext db, TimeProvider clock, AuditTrail audit, IQueueNotifier notifier, IDueReservations reservations, IOptions<QueueOptions> options,
    Waits.TurnAlerts alerts)
{
    // Candidates read per try: enough to skip those taken by other counters meanwhile.
    private const int Candidates = 50;

    public DateOnly Today => JapanTime.Today(clock);

    public async Task<QueueCounter> CounterAsync(Guid counterId, CancellationToken ct)
        => await db.QueueCounters.AsNoTracking().FirstOrDefaultAsync(c => c.Id == counterId, ct)
            ?? throw new QueueException(404, "counter-not-found", "その窓口はありません。");

    public Task<CounterShift?> ShiftAsync(Guid counterId, CancellationToken ct)
    {
        var today = Today;
        return db.CounterShifts.AsNoTracking().FirstOrDefaultAsync(s => s.CounterId == counterId && s.Date == today, ct);
    }

    /// <summary>The ticket this counter has called and not yet finished, if any.</summary>
    public Task<Ticket?> CurrentAsync(Guid counterId, CancellationToken ct)
    {
        var today = Today;
        return db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.CounterId == counterId && t.Status == TicketStatus.Called && t.ServiceDate == today, ct);
    }

    /// <summary>A member of staff takes a counter for today with the services (and optionally steps) they handle.</summary>
    public async Task<CounterShift> AssignAsync(Guid counterId, string userId, IReadOnlyCollection<Guid> serviceIds, IReadOnlyCollection<string> steps, CancellationToken ct)
    {
        var counter = await CounterAsync(counterId, ct);
        var services = await db.QueueServices.AsNoTracking().Where(s => s.OfficeId == counter.OfficeId && serviceIds.Contains(s.Id)).ToListAsync(ct);
        if (services.Count == 0) throw new QueueException(422, "services-required", "担当する受付内容を1つ以上選んでください。");
        if (services.Count != serviceIds.Distinct().Count()) throw new QueueException(422, "service-not-in-office", "この庁舎にない受付内容が含まれています。選び直してください。");
        var known = services.SelectMany(s => s.StepNames).ToHashSet();
        if (steps.FirstOrDefault(s => !known.Contains(s)) is { } unknown)
        {
            throw new QueueException(422, "step-unknown", $"工程「{unknown}」は選んだ受付内容にありません。{string.Join("・", known)} から選んでください。");
        }
        var today = Today;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var shift = await db.CounterShifts.FirstOrDefaultAsync(s => s.CounterId == counterId && s.Date == today, ct);
        if (shift is null)
        {
            shift = new CounterShift { CounterId = counterId, Date = today };
            db.CounterShifts.Add(shift);
        }
        shift.UserId = userId;
        shift.ServiceIds = string.Join(",", services.Select(s => s.Id));
        shift.Steps = string.Join("|", steps);
        shift.AssignedAt = clock.GetUtcNow();
        await audit.AppendAsync(new AuditEvent("queue.counter.assigned", "queue-counter", counterId.ToString())
        {
            Detail = $"counter={counter.Number} services={services.Count} steps={(steps.Count == 0 ? "all" : string.Join("|", steps))}",
        }, ct);
        await tx.CommitAsync(ct);
        // Staffed counters change the wait estimate.
        await notifier.OfficeChangedAsync(counter.OfficeId, ct);
        return shift;
    }

    /// <summary>Calls the next ticket for this counter (or the given held/waiting one); null when nobody is waiting.</summary>
    public async Task<CounterResult?> CallNextAsync(Guid counterId, string? userId, Guid? ticketId, CancellationToken ct)
    {
        var counter = await CounterAsync(counterId, ct);
        var shift = await ShiftAsync(counterId, ct)
            ?? throw new QueueException(409, "no-shift", $"{counter.Number}番窓口は今日の担当が決まっていません。先に窓口と担当する受付内容を選んでください。");
        if (await CurrentAsync(counterId, ct) is { } open)
        {
            throw new QueueException(409, "ticket-open", $"{counter.Number}番窓口は {open.Number}番 の対応中です。先に完了・保留・不在のいずれかにしてください。");
        }
        var serviceIds = shift.Services;
        var services = await db.QueueServices.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var steps = shift.StepNames;
        var today = Today;
        for (var round = 0; round < 20; round++)
        {
            var now = clock.GetUtcNow();
            List<(Guid Id, int Version, Guid ServiceId, int Step)> candidates;
            if (ticketId is { } wanted)
            {
                // A named ticket: one held or waiting at this office today (staff pick it from the held list).
                candidates = (await db.Tickets.AsNoTracking()
                    .Where(t => t.Id == wanted && t.OfficeId == counter.OfficeId && t.ServiceDate == today && (t.Status == TicketStatus.Held || t.Status == TicketStatus.Waiting || t.Status == TicketStatus.NoShow))
                    .Select(t => new { t.Id, t.Version, t.ServiceId, t.Step }).ToListAsync(ct))
                    .Select(t => (t.Id, t.Version, t.ServiceId, t.Step)).ToList();
                if (candidates.Count == 0) throw new QueueException(409, "ticket-unavailable", "その番号は呼び出せません（既に他の窓口で呼び出されたか、完了しています）。");
            }
            else
            {
                var due = await reservations.DueTicketIdsAsync(counter.OfficeId, serviceIds.ToList(), now, ct);
                var dueTickets = due.Count == 0 ? [] : await db.Tickets.AsNoTracking().Where(t => due.Contains(t.Id)).Where(QueueQueries.IsWaiting(now))
                    .Select(t => new { t.Id, t.Version, t.ServiceId, t.Step }).ToListAsync(ct);
                var walkIns = await db.Tickets.AsNoTracking()
                    .Where(t => t.OfficeId == counter.OfficeId && t.ServiceDate == today && serviceIds.Contains(t.ServiceId))
                    .Where(QueueQueries.IsWaiting(now))
                    .InCallingOrder().Take(Candidates)
                    .Select(t => new { t.Id, t.Version, t.ServiceId, t.Step }).ToListAsync(ct);
                candidates = dueTickets.OrderBy(t => due.ToList().IndexOf(t.Id)).Concat(walkIns)
                    .Select(t => (t.Id, t.Version, t.ServiceId, t.Step))
                    // A counter that handles only some steps (e.g. 会計) skips the others.
                    .Where(t => steps.Count == 0 || (services.TryGetValue(t.ServiceId, out var s) && steps.Contains(s.StepNames.ElementAtOrDefault(t.Step) ?? "")))
                    .ToList();
                if (candidates.Count == 0) return null;
            }
            foreach (var c in candidates)
            {
                var claimed = await ChangeAsync(counter, userId, c.Id, c.Version, CounterAction.CallNext, TicketEventKind.Called, ct, now,
                    q => q.Where(t => t.Status == TicketStatus.Waiting || t.Status == TicketStatus.Held || t.Status == TicketStatus.NoShow),
                    u => u.SetProperty(t => t.Status, TicketStatus.Called).SetProperty(t => t.CounterId, counter.Id).SetProperty(t => t.CalledAt, now).SetProperty(t => t.ReturnsAt, (DateTimeOffset?)null));
                if (claimed is not null) return claimed;
            }
            if (ticketId is not null) throw new QueueException(409, "ticket-unavailable", "その番号は他の窓口で呼び出されました。");
        }
        throw new QueueException(503, "busy", "呼び出しが混み合っています。もう一度押してください。");
    }

    /// <summary>Calls the current ticket again (the lobby display shows and reads it again).</summary>
    public Task<CounterResult> RecallAsync(Guid counterId, string? userId, CancellationToken ct)
        => OnCurrentAsync(counterId, userId, CounterAction.Recall, TicketEventKind.Recalled, (now, _) => u => u.SetProperty(t => t.CalledAt, now), ct);

    /// <summary>Puts the current ticket aside (e.g. the resident fetches a document); staff call it again from the held list.</summary>
    public Task<CounterResult> HoldAsync(Guid counterId, string? userId, CancellationToken ct)
        => OnCurrentAsync(counterId, userId, CounterAction.Hold, TicketEventKind.Held,
            (_, _) => u => u.SetProperty(t => t.Status, TicketStatus.Held).SetProperty(t => t.CounterId, (Guid?)null), ct);

    /// <summary>The resident did not come: the ticket returns to the queue after the grace period (the first time only).</summary>
    public Task<CounterResult> NoShowAsync(Guid counterId, string? userId, CancellationToken ct)
    {
        var grace = TimeSpan.FromMinutes(options.Value.NoShowGraceMinutes);
        return OnCurrentAsync(counterId, userId, CounterAction.NoShow, TicketEventKind.NoShow, (now, ticket) =>
        {
            DateTimeOffset? returns = ticket.NoShows == 0 ? now + grace : null;
            return u => u.SetProperty(t => t.Status, TicketStatus.NoShow).SetProperty(t => t.CounterId, (Guid?)null)
                .SetProperty(t => t.ReturnsAt, returns).SetProperty(t => t.NoShows, t => t.NoShows + 1);
        }, ct);
    }

    /// <summary>Sends the current ticket to another service or step; it keeps its arrival time (and so its place).</summary>
    public async Task<CounterResult> TransferAsync(Guid counterId, string? userId, Guid serviceId, int? step, CancellationToken ct)
    {
        var counter = await CounterAsync(counterId, ct);
        var target = await db.QueueServices.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serviceId && s.OfficeId == counter.OfficeId, ct)
            ?? throw new QueueException(422, "service-not-in-office", "回付先の受付内容がこの庁舎にありません。");
        var index = step ?? 0;
        if (index < 0 || index >= target.StepNames.Count)
        {
            throw new QueueException(422, "step-unknown", $"「{target.Name}」の工程は {string.Join("・", target.StepNames.Select((n, i) => $"{i}: {n}"))} です。");
        }
        return await OnCurrentAsync(counterId, userId, CounterAction.Transfer, TicketEventKind.Transferred, (now, _) => u => u
            .SetProperty(t => t.ServiceId, serviceId).SetProperty(t => t.Step, index)
            .SetProperty(t => t.Status, TicketStatus.Waiting).SetProperty(t => t.CounterId, (Guid?)null).SetProperty(t => t.QueuedAt, now), ct);
    }

    /// <summary>Finishes the current step: the ticket waits for the next step (arrival kept), or is done after the last.</summary>
    public async Task<CounterResult> CompleteAsync(Guid counterId, string? userId, CancellationToken ct)
    {
        var current = await CurrentAsync(counterId, ct);
        var service = current is null ? null : await db.QueueServices.AsNoTracking().FirstOrDefaultAsync(s => s.Id == current.ServiceId, ct);
        var last = service is null || current!.Step + 1 >= service.StepNames.Count;
        return await OnCurrentAsync(counterId, userId, CounterAction.Complete, last ? TicketEventKind.Done : TicketEventKind.StepDone, (now, _) => last
            ? u => u.SetProperty(t => t.Status, TicketStatus.Done).SetProperty(t => t.CounterId, (Guid?)null)
            : u => u.SetProperty(t => t.Step, t => t.Step + 1).SetProperty(t => t.Status, TicketStatus.Waiting)
                .SetProperty(t => t.CounterId, (Guid?)null).SetProperty(t => t.QueuedAt, now), ct);
    }

    private async Task<CounterResult> OnCurrentAsync(Guid counterId, string? userId, CounterAction action, TicketEventKind kind,
        Func<DateTimeOffset, Ticket, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Ticket>>> setters, CancellationToken ct)
    {
        var counter = await CounterAsync(counterId, ct);
        var current = await CurrentAsync(counterId, ct)
            ?? throw new QueueException(409, "no-ticket", $"{counter.Number}番窓口で対応中の番号はありません。先に呼び出してください。");
        var now = clock.GetUtcNow();
        return await ChangeAsync(counter, userId, current.Id, current.Version, action, kind, ct, now,
                   q => q.Where(t => t.Status == TicketStatus.Called && t.CounterId == counterId), setters(now, current))
               ?? throw new QueueException(409, "ticket-changed", $"{current.Number}番 は他の操作で変わりました。画面を更新してください。");
    }

    /// <summary>The one place a ticket changes: a conditional UPDATE on the version read, its event, its audit entry, one commit.</summary>
    private async Task<CounterResult?> ChangeAsync(QueueCounter counter, string? userId, Guid ticketId, int version, CounterAction action, TicketEventKind kind,
        CancellationToken ct, DateTimeOffset now, Func<IQueryable<Ticket>, IQueryable<Ticket>> condition,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Ticket>> set)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await condition(db.Tickets.Where(t => t.Id == ticketId && t.Version == version))
            .ExecuteUpdateAsync(u =>
            {
                set(u);
                u.SetProperty(t => t.Version, t => t.Version + 1);
            }, ct);
        if (changed == 0) return null;
        var ticket = await db.Tickets.AsNoTracking().FirstAsync(t => t.Id == ticketId, ct);
        var service = await db.QueueServices.AsNoTracking().FirstAsync(s => s.Id == ticket.ServiceId, ct);
        db.TicketEvents.Add(new TicketEvent
        {
            TicketId = ticketId,
            OfficeId = ticket.OfficeId,
            ServiceDate = ticket.ServiceDate,
            Kind = kind,
            At = now,
            ServiceId = ticket.ServiceId,
            Step = ticket.Step,
            CounterId = counter.Id,
            UserId = userId,
        });
        if (kind == TicketEventKind.Called)
        {
            // The real wait next to the estimate shown at issue: arrival to the first call only (later calls are other steps).
            var waited = (int)Math.Max(0, (now - ticket.ArrivedAt).TotalSeconds);
            await db.WaitEstimates.Where(w => w.TicketId == ticketId && w.CalledAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.CalledAt, now).SetProperty(w => w.WaitSeconds, waited), ct);
        }
        // Saves the event with the audit entry; no resident data (the number only).
        await audit.AppendAsync(new AuditEvent("queue." + kind.ToString().ToLowerInvariant(), "ticket", ticketId.ToString())
        {
            Detail = $"counter={counter.Number} number={ticket.Number} service={service.Id} step={ticket.Step} status={ticket.Status}",
        }, ct);
        await tx.CommitAsync(ct);
        await notifier.OfficeChangedAsync(counter.OfficeId, ct);
        // After the commit, on the instance that made the change: residents whose turn is near get their one mail.
        await alerts.QueueMovedAsync(counter.OfficeId, ct);
        return new CounterResult(action, ticket, service, counter);
    }
}
