namespace Metering.Query.Windows;

/// <summary>The latest watermark a partition's progress rows recorded.</summary>
internal sealed record PartitionWatermarkRow(ushort KafkaPartition, long WatermarkMs);
