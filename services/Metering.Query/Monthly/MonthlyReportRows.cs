using System.Text.Json.Serialization;
using Metering.ClickHouse;
using Metering.Query.Reports;

namespace Metering.Query.Monthly;

/// <summary>
/// The totals of one account × team × meter over a month, with whether every rollup row in them is final and the
/// partitions that hold them (both absent, i.e. final, when read from <c>monthly_totals</c>).
/// </summary>
internal sealed record MonthlyTotalsRow(string Account, string Team, string Meter, RollupTotals Totals)
{
    public byte RowsFinal { get; init; } = 1;

    public IReadOnlyList<ushort> Partitions { get; init; } = [];
}

/// <summary>A row of <c>monthly_totals</c> (schemas/clickhouse/0010).</summary>
internal sealed record MonthlyTotalsStorageRow(
    DateOnly Month,
    string Account,
    string Team,
    string Meter,
    ulong EventCount,
    ulong ValueCount,
    double ValueSum,
    double ValueMin,
    double ValueMax,
    double LatestValue,
    ulong UniqueCount,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset ComputedAt);

/// <summary>A row of <c>monthly_totals_complete</c>: the month's totals are all in <c>monthly_totals</c>.</summary>
internal sealed record MonthlyTotalsCompleteRow(
    DateOnly Month,
    ulong Rows,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset ComputedAt);

/// <summary>The late events of one account × team × meter × window, folded, and when the last of them arrived.</summary>
internal sealed record AdjustmentTotalsRow(string Account, string Team, string Meter, long WindowStartMs, RollupTotals Totals, long ReceivedAtMs);
