using System.Text.Json.Serialization;

namespace Metering.Query.Pipeline;

/// <summary>
/// The answer of <c>GET /v1/pipeline/health</c> (API.md): per-partition progress of the configured topic and the
/// pipeline's figures over [<paramref name="Since"/>, now). Every figure is pipeline-wide, over all accounts.
/// </summary>
/// <param name="Topic">The Kafka topic (<c>Kafka:Topic</c>) the partitions belong to.</param>
/// <param name="Since">The start of the window the figures cover (the <c>since</c> parameter, default now − 24 h).</param>
/// <param name="Partitions">One entry per partition the aggregator has written progress for, by partition.</param>
/// <param name="DuplicateRate">
/// Duplicate records / all records among the raw events ingested at or after <paramref name="Since"/>
/// (<c>usage_events.ingested_at</c>); 0 when there are none.
/// </param>
/// <param name="AttributionSuccess">
/// Counted (non-duplicate) events ingested at or after <paramref name="Since"/> attributed to a team (not
/// <c>unassigned</c>) / all counted events ingested then; null when there are none (nothing to measure).
/// </param>
/// <param name="LateEvents">
/// Distinct late events (by Kafka partition and offset) stored as adjustments at or after <paramref name="Since"/>
/// (<c>adjustments.received_at</c>), however many meters each one adjusted.
/// </param>
/// <param name="FinalizationDrift">
/// For the windows finalized at or after <paramref name="Since"/>: adjustment rows (late event × meter) of those
/// windows / the sum of the final rollups' <c>event_count</c> (event × meter) of those windows; null when no window
/// was finalized then.
/// </param>
/// <param name="SinkErrors">Failed ClickHouse write attempts of outages that ended at or after <paramref name="Since"/>.</param>
/// <param name="DeadLetters">Undecodable records of the topic dead-lettered at or after <paramref name="Since"/>.</param>
public sealed record PipelineHealthResponse(
    string Topic,
    DateTimeOffset Since,
    IReadOnlyList<PartitionHealth> Partitions,
    double DuplicateRate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? AttributionSuccess,
    ulong LateEvents,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? FinalizationDrift,
    ulong SinkErrors,
    ulong DeadLetters);
