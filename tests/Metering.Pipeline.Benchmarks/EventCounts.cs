namespace Metering.Pipeline.Benchmarks;

/// <summary>What the preload sent: records, exact duplicates, and per event type the distinct events and their value sum.</summary>
internal sealed class EventCounts
{
    public long Records { get; set; }

    public long Duplicates { get; set; }

    public long Distinct => Records - Duplicates;

    public long PayloadBytes { get; set; }

    /// <summary>Distinct events per CloudEvents type.</summary>
    public Dictionary<string, long> EventsByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Records per CloudEvents type, duplicates included: what a pipeline without dedupe counts.</summary>
    public Dictionary<string, long> RecordsByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Sum of each type's value property (<c>$.tokens</c>, <c>$.duration_seconds</c>, …) over distinct events.</summary>
    public Dictionary<string, double> ValueSumByType { get; } = new(StringComparer.Ordinal);
}
