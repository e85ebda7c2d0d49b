namespace Metering.DevBroker;

/// <summary>Body of <c>POST /v1/topics</c>.</summary>
internal sealed record CreateTopicRequest(string? Name, int Partitions);
