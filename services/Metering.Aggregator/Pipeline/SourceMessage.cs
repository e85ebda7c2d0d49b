using Metering.Aggregator.Storage;
using Metering.Events;

namespace Metering.Aggregator.Pipeline;

/// <summary>What the Kafka source hands the window stage, in partition order.</summary>
internal abstract record SourceMessage;

/// <summary>This instance now owns <paramref name="Partition"/>: resume it from <paramref name="Snapshot"/>.</summary>
internal sealed record PartitionAssigned(int Partition, PartitionSnapshot Snapshot) : SourceMessage;

/// <summary>
/// This instance no longer owns <paramref name="Partition"/>. When <paramref name="Handoff"/> is set the
/// source waits for it: it completes once everything applied so far is durable, so the next owner
/// resumes from complete progress.
/// </summary>
internal sealed record PartitionRevoked(int Partition, TaskCompletionSource? Handoff) : SourceMessage;

/// <summary>One Kafka record; its key (the account) is read only when the record is dead-lettered.</summary>
internal sealed record ConsumedRecord(int Partition, long Offset, byte[]? Key, byte[] Value) : SourceMessage;

/// <summary>
/// <paramref name="Record"/> decoded: its event and the event's <paramref name="Data"/> object as UTF-8 JSON (the event's
/// <see cref="UsageEvent.Data"/> is not set), or null with the <paramref name="Reason"/> it is undecodable.
/// </summary>
internal sealed record DecodedRecord(ConsumedRecord Record, UsageEvent? Event, ReadOnlyMemory<byte> Data, string? Reason) : SourceMessage;

/// <summary>
/// <paramref name="Partition"/> was read to its end, <paramref name="EndOffset"/>, and nothing newer had
/// arrived when the clock read <paramref name="ObservedAtMs"/> (Unix ms).
/// </summary>
internal sealed record PartitionIdle(int Partition, long EndOffset, long ObservedAtMs) : SourceMessage;

/// <summary>The ends of the owned partitions' logs, for consumer lag.</summary>
internal sealed record LogEnds(IReadOnlyList<(int Partition, long EndOffset)> Ends) : SourceMessage;

/// <summary>Nothing arrived for a while: a chance to flush what is pending.</summary>
internal sealed record IdleTick : SourceMessage
{
    public static readonly IdleTick Instance = new();
}
