namespace Metering.Events.Meters;

/// <summary>One meter of <c>schemas/meters.json</c>: which events it counts and how (DESIGN.md §6).</summary>
/// <param name="Name">Lower-case identifier, used in URLs and rollups.</param>
/// <param name="EventType">The CloudEvents <c>type</c> the meter selects.</param>
/// <param name="Aggregation">How values are folded.</param>
/// <param name="ValueProperty">Path into <c>data</c> of the value; null only for COUNT.</param>
/// <param name="GroupBy">Group-by name → path into <c>data</c>.</param>
/// <param name="Unit">UCUM unit of the value, e.g. <c>{request}</c>.</param>
public sealed record MeterDefinition(
    string Name,
    string EventType,
    Aggregation Aggregation,
    JsonPath? ValueProperty,
    IReadOnlyDictionary<string, JsonPath> GroupBy,
    string Unit);
