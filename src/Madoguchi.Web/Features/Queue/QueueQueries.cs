using System.Linq.Expressions;
using Madoguchi.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>The queue's shared rules as queries: who is waiting, and in which order they are called.</summary>
public static class QueueQueries
{
    /// <summary>Waiting, or a no-show whose grace period is over (back in the queue without any job having to run).</summary>
    public static Expression<Func<Ticket, bool>> IsWaiting(DateTimeOffset now)
        => t => t.Status == TicketStatus.Waiting || (t.Status == TicketStatus.NoShow && t.ReturnsAt != null && t.ReturnsAt <= now);

    /// <summary>
    /// Calling order after reservations (see <see cref="IDueReservations"/>): priority tickets first,
    /// then the oldest arrival (kept across steps, so a resident is not sent to the back by a step),
    /// then the number.
    /// </summary>
    public static IOrderedQueryable<Ticket> InCallingOrder(this IQueryable<Ticket> tickets)
        => tickets.OrderByDescending(t => t.Priority).ThenBy(t => t.ArrivedAt).ThenBy(t => t.Number);

    /// <summary>How many are called before this ticket in its service's current step.</summary>
    public static Task<int> AheadAsync(MadoguchiDbContext db, Ticket me, DateTimeOffset now, CancellationToken ct)
        => db.Tickets.Where(IsWaiting(now))
            .Where(t => t.OfficeId == me.OfficeId && t.ServiceDate == me.ServiceDate && t.ServiceId == me.ServiceId && t.Step == me.Step && t.Id != me.Id)
            .Where(t => (t.Priority && !me.Priority)
                        || (t.Priority == me.Priority && (t.ArrivedAt < me.ArrivedAt || (t.ArrivedAt == me.ArrivedAt && t.Number < me.Number))))
            .CountAsync(ct);
}

/// <summary>
/// The ordering hook for reservations (a later issue): tickets of reservations due now, called before
/// any walk-in. Until reservations exist there are none.
/// </summary>
public interface IDueReservations
{
    /// <summary>Ticket ids, in the order they should be called, among the given services' waiting tickets.</summary>
    Task<IReadOnlyList<Guid>> DueTicketIdsAsync(Guid officeId, IReadOnlyCollection<Guid> serviceIds, DateTimeOffset now, CancellationToken ct);
}

/// <summary>No reservations module is installed: nothing is due.</summary>
public sealed class NoReservations : IDueReservations
{
    public Task<IReadOnlyList<Guid>> DueTicketIdsAsync(Guid officeId, IReadOnlyCollection<Guid> serviceIds, DateTimeOffset now, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<Guid>>([]);
}

/// <summary>The default notifier until the live layer registers its own: nobody is listening.</summary>
public sealed class NoQueueNotifier : IQueueNotifier
{
    public Task OfficeChangedAsync(Guid officeId, CancellationToken ct) => Task.CompletedTask;
}
