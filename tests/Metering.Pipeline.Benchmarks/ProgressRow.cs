namespace Metering.Pipeline.Benchmarks;

/// <summary>A partition's durable position: <c>max(next_offset)</c> of its <c>progress</c> rows.</summary>
internal sealed record ProgressRow(ushort KafkaPartition, ulong NextOffset);
