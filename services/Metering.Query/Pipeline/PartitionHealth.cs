using System.Text.Json.Serialization;

namespace Metering.Query.Pipeline;

/// <summary>The progress of one partition as its latest progress row records it.</summary>
/// <param name="Partition">The Kafka partition.</param>
/// <param name="Lag">Records in the partition not yet durably processed: max(0, log end offset − next offset).</param>
/// <param name="Watermark">The partition's event-time watermark; null while it has seen no event.</param>
/// <param name="LastProgressAt">When the aggregator last wrote progress for the partition.</param>
public sealed record PartitionHealth(
    int Partition,
    ulong Lag,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? Watermark,
    DateTimeOffset LastProgressAt);
