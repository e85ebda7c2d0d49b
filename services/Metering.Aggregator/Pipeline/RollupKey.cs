namespace Metering.Aggregator.Pipeline;

/// <summary>One rollup row of a partition: meter × account × team × subject × group-by values × base window.</summary>
internal readonly record struct RollupKey(
    string Meter, string Account, string Team, string Subject, string GroupBy, long WindowStartMs);
