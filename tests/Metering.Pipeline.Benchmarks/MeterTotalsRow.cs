namespace Metering.Pipeline.Benchmarks;

/// <summary>A meter's totals over every rollup window.</summary>
internal sealed record MeterTotalsRow(string Meter, ulong Events, double ValueSum);
