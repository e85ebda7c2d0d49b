namespace Metering.Query.Pipeline;

/// <summary>Counts over the raw events ingested in the window.</summary>
internal sealed record EventCountsRow(ulong Records, ulong Duplicates, ulong Counted, ulong Attributed);
