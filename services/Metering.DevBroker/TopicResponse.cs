namespace Metering.DevBroker;

/// <summary>A topic of the development broker.</summary>
internal sealed record TopicResponse(string Name, int Partitions);
