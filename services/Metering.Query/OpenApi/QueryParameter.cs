namespace Metering.Query.OpenApi;

/// <summary>
/// A query parameter an endpoint reads from the query string itself (to answer a precise 400), described for the
/// OpenAPI document: its <paramref name="Values"/> when it takes one of a fixed set, <paramref name="Format"/> such
/// as <c>date-time</c>, and whether it may be repeated.
/// </summary>
internal sealed record QueryParameter(
    string Name,
    string Description,
    bool Required = false,
    bool Repeatable = false,
    string? Format = null,
    IReadOnlyList<string>? Values = null);
