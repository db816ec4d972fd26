using System.Text.Encodings.Web;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Webhooks;

/// <summary>
/// Where modules put events for webhooks (the transactional outbox): <see cref="AddAsync"/> adds
/// delivery rows to the caller's context and does not save, so the caller's SaveChanges (in its
/// transaction) commits the change and its event together, or neither.
/// </summary>
public sealed class WebhookOutbox(TimeProvider clock)
{
    /// <summary>How long failures are retried after the event.</summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromHours(24);

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Japanese text stays readable; receivers verify the raw bytes anyway.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Times in the data (receivedAt …) in Japan time like createdAt, as docs/webhooks.md promises.
        Converters = { new JapanTimeJsonConverter() },
    };

    /// <summary>
    /// Queues <paramref name="eventType"/> for every active endpoint of the procedure that wants it.
    /// The body is <c>{"id", "type", "createdAt", "data"}</c>; put ids and codes in <paramref name="data"/>,
    /// not personal data (receivers fetch details through the API).
    /// </summary>
    /// <returns>The event id (also when no endpoint wants the event and nothing was added).</returns>
    public async Task<Guid> AddAsync(MadoguchiDbContext db, Guid procedureId, string eventType, object data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        if (!WebhookEvents.All.Contains(eventType, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Webhook のイベント '{eventType}' は定義されていません（{string.Join(", ", WebhookEvents.All)}）。", nameof(eventType));
        }
        var now = clock.GetUtcNow();
        var eventId = Guid.CreateVersion7(now);
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.ProcedureId == procedureId && e.Active)
            .Select(e => new { e.Id, e.Events }).ToListAsync(ct);
        var wanting = endpoints.Where(e => e.Events.Split(',').Contains(eventType, StringComparer.Ordinal)).ToList();
        if (wanting.Count == 0) return eventId;
        var payload = JsonSerializer.Serialize(new Envelope(eventId, eventType, TimeZoneInfo.ConvertTime(now, JapanTime.Zone), data), Json);
        foreach (var e in wanting)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                EndpointId = e.Id,
                ProcedureId = procedureId,
                EventId = eventId,
                EventType = eventType,
                Payload = payload,
                Status = WebhookDeliveryStatus.Pending,
                CreatedAt = now,
                RetryUntil = now + RetryWindow,
                NextAttemptAt = now,
            });
        }
        return eventId;
    }

    private sealed record Envelope(Guid Id, string Type, DateTimeOffset CreatedAt, object Data);
}
