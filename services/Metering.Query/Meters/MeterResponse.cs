namespace Metering.Query.Meters;

/// <summary>One configured meter as <c>GET /v1/meters</c> shows it.</summary>
public sealed record MeterResponse(
    string Name, string EventType, string Aggregation, string? ValueProperty, IReadOnlyDictionary<string, string> GroupBy, string Unit);
