namespace Metering.Query.Usage;

/// <summary>The answer of <c>GET /v1/meters/{meter}/usage</c> (API.md).</summary>
public sealed record UsageResponse(
    string Meter, DateTimeOffset From, DateTimeOffset To, string? WindowSize, string WindowTimeZone, IReadOnlyList<UsageDataRow> Data);

/// <summary>One window × group: its value and whether every base window in it is final.</summary>
public sealed record UsageDataRow(
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    double Value,
    string Status,
    string? Subject,
    IReadOnlyDictionary<string, string>? GroupBy);
