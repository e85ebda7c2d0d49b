namespace Metering.Pipeline.Benchmarks;

/// <summary>Raw events stored, and those not marked as duplicates.</summary>
internal sealed record EventTotalsRow(ulong Rows, ulong NonDuplicate);
