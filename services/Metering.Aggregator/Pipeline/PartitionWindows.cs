using Metering.Windowing;

namespace Metering.Aggregator.Pipeline;

/// <summary>The open windows and event-time progress of one partition this instance owns.</summary>
internal sealed class PartitionWindows(int partition, long nextOffset, long watermarkMs)
{
    public int Partition { get; } = partition;

    /// <summary>The offset after the last record applied.</summary>
    public long NextOffset { get; set; } = nextOffset;

    /// <summary>Largest event time seen minus the allowed out-of-orderness, in Unix milliseconds.</summary>
    public long WatermarkMs { get; set; } = watermarkMs;

    public Dictionary<RollupKey, WindowState> Windows { get; } = [];
}

/// <summary>A rollup's cumulative state and the offset of the last record applied to it.</summary>
internal sealed class WindowState
{
    public RollupAccumulator Accumulator { get; } = new();

    public ulong Version { get; set; }
}
