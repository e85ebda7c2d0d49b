namespace Metering.Aggregator.Pipeline;

/// <summary>One rollup row: meter × account × team × subject × group-by values × base window.</summary>
internal readonly record struct RollupKey(
    string Meter, string Account, string Team, string Subject, string GroupBy, DateTimeOffset WindowStart);
