using System.Text.Json.Serialization;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// What an office's public page, lobby display and congestion API show: built once per change of
/// the office's queue and pushed to every viewer (no database query per viewer). The JSON shape is
/// the documented API (<c>GET /api/v1/offices/{office}/congestion</c> and its SSE stream).
/// </summary>
/// <param name="Stale">True when the snapshot could not be refreshed (database unreachable): viewers
/// are told the data is old instead of being shown zero.</param>
public sealed record CongestionSnapshot(
    [property: JsonPropertyName("office")] OfficeRef Office,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("stale")] bool Stale,
    [property: JsonPropertyName("sections")] IReadOnlyList<SectionCongestion> Sections,
    [property: JsonPropertyName("recentCalls")] IReadOnlyList<RecentCall> RecentCalls);

public sealed record OfficeRef(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("nameEn")] string NameEn);

public sealed record SectionCongestion(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("nameEn")] string NameEn,
    /// <summary>A CSS colour token of the section; never the only carrier of meaning (the name is always shown).</summary>
    [property: JsonPropertyName("colour")] string Colour,
    [property: JsonPropertyName("waiting")] int Waiting,
    [property: JsonPropertyName("services")] IReadOnlyList<ServiceCongestion> Services);

public sealed record ServiceCongestion(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("nameEn")] string NameEn,
    [property: JsonPropertyName("waiting")] int Waiting,
    /// <summary>The number most recently called for this service today; null before the first call.</summary>
    [property: JsonPropertyName("nowServing")] int? NowServing,
    [property: JsonPropertyName("estimatedWaitMinutes")] WaitRange EstimatedWaitMinutes,
    /// <summary>Waiting ticket numbers in calling order: the number search answers from these, not from the database.</summary>
    [property: JsonPropertyName("queue")] IReadOnlyList<int> Queue)
{
    /// <summary>Waiting per step of the visit (受付, 審査, 会計, 交付 …), so 交付待ち shows on its own; empty when not known.</summary>
    [JsonPropertyName("steps")]
    public IReadOnlyList<StepCongestion> Steps { get; init; } = [];

    /// <summary>
    /// "measured" when the estimate comes from this service's recent service times, "default" when
    /// there were none yet and the documented default was used (pages say so).
    /// </summary>
    [JsonPropertyName("estimateBasis")]
    public string EstimateBasis { get; init; } = "measured";
}

/// <summary>Tickets waiting for one step of a service (e.g. 交付 → "交付待ち").</summary>
public sealed record StepCongestion(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("waiting")] int Waiting)
{
    /// <summary>The wait for this step of someone joining its queue now (from the step's own service times and counters).</summary>
    [JsonPropertyName("estimatedWaitMinutes")]
    public WaitRange? EstimatedWaitMinutes { get; init; }
}

public sealed record WaitRange(
    [property: JsonPropertyName("low")] int Low,
    [property: JsonPropertyName("high")] int High);

/// <summary>A call shown on the lobby display ("2013番の方、3番窓口へどうぞ").</summary>
public sealed record RecentCall(
    [property: JsonPropertyName("number")] int Number,
    [property: JsonPropertyName("counter")] string Counter,
    [property: JsonPropertyName("serviceId")] Guid ServiceId,
    [property: JsonPropertyName("calledAt")] DateTimeOffset CalledAt);

/// <summary>Builds an office's snapshot from the stored queue (the queue core implements it).</summary>
public interface ICongestionSource
{
    /// <summary>Null when there is no such office.</summary>
    Task<CongestionSnapshot?> LoadAsync(Guid officeId, CancellationToken ct);
    Task<IReadOnlyList<Guid>> OfficeIdsAsync(CancellationToken ct);
}

/// <summary>
/// Told after every committed change to an office's queue (ticket issued, called, moved, done):
/// the live layer rebuilds that office's snapshot once and pushes it to viewers on every instance.
/// </summary>
public interface IQueueNotifier
{
    Task OfficeChangedAsync(Guid officeId, CancellationToken ct);
}
