using Metering.Aggregator.Storage;

namespace Metering.Aggregator.Pipeline;

/// <summary>What the Kafka source hands the window stage, in partition order.</summary>
internal abstract record SourceMessage;

/// <summary>
/// This instance now owns <paramref name="Partition"/>: resume at <paramref name="NextOffset"/>, after
/// replaying <paramref name="Replay"/> (the stored events of its open windows) into fresh state.
/// </summary>
internal sealed record PartitionAssigned(int Partition, long NextOffset, long WatermarkMs, IReadOnlyList<StoredEventRow> Replay)
    : SourceMessage;

/// <summary>This instance no longer owns <paramref name="Partition"/>.</summary>
internal sealed record PartitionRevoked(int Partition) : SourceMessage;

/// <summary>One Kafka record.</summary>
internal sealed record ConsumedRecord(int Partition, long Offset, string? Key, byte[] Value) : SourceMessage;

/// <summary>Nothing arrived for a while: a chance to flush what is pending.</summary>
internal sealed record IdleTick : SourceMessage
{
    public static readonly IdleTick Instance = new();
}
