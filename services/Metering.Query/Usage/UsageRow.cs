using Metering.Query.Reports;

namespace Metering.Query.Usage;

/// <summary>
/// One row of the usage SQL: a bucket (its start, in the caller's zone, as Unix milliseconds), the group's dimension
/// values in request order, its totals, whether every rollup row in it is final, and the partitions that hold them.
/// </summary>
internal sealed record UsageRow(long BucketMs, IReadOnlyList<string> Dims, RollupTotals Totals, byte RowsFinal, IReadOnlyList<ushort> Partitions);

/// <summary>The first and last usage the filters select, in Unix milliseconds, and how many rollup rows there are.</summary>
internal sealed record UsageBoundsRow(long FirstMs, long LastMs, ulong Rows);

/// <summary>A counted raw event of a meter's type: where it is, how it was attributed, when it happened, its data.</summary>
internal sealed record RawUsageEventRow(ushort KafkaPartition, string Account, string Team, string Subject, long TimeMs, string Data);
