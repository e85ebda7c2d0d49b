using Metering.Aggregator.Storage;
using Metering.Windowing;

namespace Metering.Aggregator.Pipeline;

/// <summary>An open window's cumulative state and the offset of the last record it includes.</summary>
internal sealed class WindowState : RollupAccumulator
{
    /// <summary>The largest offset included; a replayed record at or below it is already counted.</summary>
    public long LastOffset { get; set; } = -1;

    /// <summary>Changed since its last row was written.</summary>
    public bool Dirty { get; set; }

    /// <summary>The state a provisional rollup row written before holds.</summary>
    public static WindowState Restore(RollupRow row)
    {
        var state = new WindowState { LastOffset = (long)(row.Version >> 1) };
        state.Load(row.EventCount, row.ValueCount, row.ValueSum, row.ValueMin, row.ValueMax, row.LatestValue, row.LatestTimeMs,
            row.LastEventMs, row.UniqueValues);
        return state;
    }
}
