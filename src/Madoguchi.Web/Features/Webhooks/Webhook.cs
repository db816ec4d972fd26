using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Webhooks;

/// <summary>The event types a procedure's webhooks can carry (docs/webhooks.md).</summary>
public static class WebhookEvents
{
    /// <summary>A case was added to the procedure's ledger (online, counter or mail).</summary>
    public const string CaseCreated = "case.created";
    /// <summary>A case of the ledger changed its status.</summary>
    public const string CaseStatusChanged = "case.status_changed";

    public static readonly IReadOnlyList<string> All = [CaseCreated, CaseStatusChanged];

    public static string Label(string type) => type switch
    {
        CaseCreated => "案件の登録",
        CaseStatusChanged => "案件の状態の変更",
        _ => type,
    };
}

/// <summary>
/// A receiver of one procedure's events. The signing secret is not here: it is a
/// <see cref="Protection.ProtectedValue"/> (owner "WebhookEndpoint", field "SigningSecret"),
/// encrypted with the key ring that lives outside the database.
/// </summary>
public sealed class WebhookEndpoint
{
    public const int MaxUrlLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ProcedureId { get; set; }
    public string Url { get; set; } = "";
    /// <summary>The event types wanted, comma-separated (<see cref="WebhookEvents"/>).</summary>
    public string Events { get; set; } = "";
    /// <summary>What the receiver is, for staff (e.g. "基幹システム連携").</summary>
    public string Description { get; set; } = "";
    /// <summary>The first characters of the secret, so staff can tell which one a receiver holds.</summary>
    public string SecretHint { get; set; } = "";
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset? DeactivatedAt { get; set; }
    public string? DeactivatedBy { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
    public bool Wants(string eventType) => EventList.Contains(eventType, StringComparer.Ordinal);

    internal static void Configure(EntityTypeBuilder<WebhookEndpoint> e)
    {
        e.Property(x => x.Url).HasMaxLength(MaxUrlLength);
        e.Property(x => x.Events).HasMaxLength(200);
        e.Property(x => x.Description).HasMaxLength(200);
        e.Property(x => x.SecretHint).HasMaxLength(16);
        e.Property(x => x.CreatedBy).HasMaxLength(200);
        e.Property(x => x.DeactivatedBy).HasMaxLength(200);
        e.Ignore(x => x.EventList);
        e.HasOne<Procedure>().WithMany().HasForeignKey(x => x.ProcedureId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.ProcedureId, x.Active });
    }
}

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its next attempt (or being sent now).</summary>
    Pending,
    Delivered,
    /// <summary>Given up after the retry window; only a manual redelivery sends it again.</summary>
    Failed,
}

/// <summary>One event for one endpoint: the exact body signed and sent on every attempt.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid EndpointId { get; set; }
    public WebhookEndpoint? Endpoint { get; set; }
    public Guid ProcedureId { get; set; }
    /// <summary>The event's id: the same for every endpoint and every attempt (Madoguchi-Webhook-Id), for receivers to deduplicate.</summary>
    public Guid EventId { get; set; }
    public string EventType { get; set; } = "";
    /// <summary>The JSON body, kept byte for byte so a retry carries the same body.</summary>
    public string Payload { get; set; } = "";
    public WebhookDeliveryStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Failures are retried until this instant (the event plus 24 hours, or the time of a manual redelivery).</summary>
    public DateTimeOffset RetryUntil { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    /// <summary>While a dispatcher sends, the row is leased to it: no other dispatcher claims it before this instant.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>The claim of the dispatcher holding the lease; its result is written only under the same claim.</summary>
    public Guid? LeaseToken { get; set; }
    public int? LastStatusCode { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>The next attempt was asked for by staff (再送).</summary>
    public bool ManualRequested { get; set; }
    public List<WebhookAttempt> AttemptLog { get; set; } = [];

    internal static void Configure(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.Property(x => x.EventType).HasMaxLength(64);
        e.HasOne(x => x.Endpoint).WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(x => x.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.EndpointId, x.EventId }).IsUnique();
        // The dispatcher's query: due pending rows in order.
        e.HasIndex(x => new { x.Status, x.NextAttemptAt });
        e.HasIndex(x => new { x.ProcedureId, x.CreatedAt });
    }
}

/// <summary>One HTTP request of a delivery, as the delivery log shows it.</summary>
public sealed class WebhookAttempt
{
    public const int MaxErrorLength = 500;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DeliveryId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The receiver's HTTP status; null when no response came (then <see cref="Error"/> says why).</summary>
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public int DurationMs { get; set; }
    public bool Manual { get; set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;

    internal static void Configure(EntityTypeBuilder<WebhookAttempt> e)
    {
        e.Property(x => x.Error).HasMaxLength(MaxErrorLength);
        e.Ignore(x => x.Succeeded);
        e.HasIndex(x => new { x.DeliveryId, x.Number });
    }
}
