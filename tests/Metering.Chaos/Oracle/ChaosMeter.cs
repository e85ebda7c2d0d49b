namespace Metering.Chaos.Oracle;

/// <summary>How a meter combines its values.</summary>
internal enum MeterAggregation
{
    Count,
    Sum,
    Max,
}

/// <summary>
/// A meter as the oracle understands it, written down here from schemas/meters.json rather than read through the
/// aggregator's catalog, so that the expected values do not depend on the code under test.
/// </summary>
internal sealed record ChaosMeter(string Name, string EventType, MeterAggregation Aggregation, string? ValueProperty, IReadOnlyList<string> GroupBy)
{
    public static readonly ChaosMeter ApiRequests = new("api_requests", "api.request", MeterAggregation.Count, null, ["method", "route"]);

    public static readonly ChaosMeter SessionSeconds = new("session_seconds", "product.session", MeterAggregation.Sum, "duration_seconds", ["product"]);

    public static readonly ChaosMeter Tokens = new("tokens", "flex.tokens", MeterAggregation.Sum, "tokens", ["model"]);

    public static readonly ChaosMeter StorageGb = new("storage_gb", "storage.usage", MeterAggregation.Max, "gb", []);

    public static IReadOnlyList<ChaosMeter> All { get; } = [ApiRequests, SessionSeconds, Tokens, StorageGb];

    public static ChaosMeter? Find(string name) => All.FirstOrDefault(m => m.Name == name);
}
