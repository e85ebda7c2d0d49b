using Metering.Windowing;

namespace Metering.Aggregator.Pipeline;

/// <summary>A rollup's cumulative state and the offset of the last record it includes.</summary>
internal sealed class WindowState(RollupAccumulator accumulator, long lastOffset)
{
    public RollupAccumulator Accumulator { get; } = accumulator;

    /// <summary>The largest offset included; a replayed record at or below it is already in <see cref="Accumulator"/>.</summary>
    public long LastOffset { get; set; } = lastOffset;

    /// <summary>Changed since its last row was written.</summary>
    public bool Dirty { get; set; }
}
