using System.Text.Json.Serialization;
using Metering.Chaos.Generation;

namespace Metering.Chaos.Verification;

/// <summary>Rollups of one stored group-by text, summed over Kafka partitions.</summary>
internal sealed record StoredRollup(
    string Meter, string Account, string Team, string Subject, string GroupBy, long Ws,
    long EventCount, long ValueCount, double ValueSum, double ValueMax);

/// <summary>A row of <c>adjustments FINAL</c>.</summary>
internal sealed record StoredAdjustment(
    string Meter, string Account, string Team, string Subject, string GroupBy, long Ws, string Source, string Id,
    int HasValue, double Value, int KafkaPartition, long KafkaOffset);

/// <summary>How far a partition's progress row reaches.</summary>
internal sealed record StoredProgress(int KafkaPartition, long NextOffset);

/// <summary>Counts over <c>usage_events FINAL</c>.</summary>
internal sealed record StoredEventCounts(long Records, long Originals, long DistinctEvents);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StoredRollup))]
[JsonSerializable(typeof(StoredAdjustment))]
[JsonSerializable(typeof(StoredProgress))]
[JsonSerializable(typeof(StoredEventCounts))]
[JsonSerializable(typeof(TeamDirectory.AssignmentRow))]
internal sealed partial class ChaosJsonContext : JsonSerializerContext;
