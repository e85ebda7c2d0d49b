namespace Metering.Ingest.Events;

/// <summary>The 202 answer of <c>POST /v1/events</c>: how many events are durable, and which were not taken.</summary>
public sealed record IngestResponse(int Accepted, IReadOnlyList<Rejection> Rejected);

/// <summary>One event that was not accepted, by its position in the request.</summary>
public sealed record Rejection(int Index, string? Id, string Reason);
