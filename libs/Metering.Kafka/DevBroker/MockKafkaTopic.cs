namespace Metering.Kafka.DevBroker;

/// <summary>A topic of the development broker.</summary>
/// <param name="Name">The topic name: 1 to 249 characters out of <c>[A-Za-z0-9._-]</c>.</param>
/// <param name="Partitions">The partition count, at least 1.</param>
public sealed record MockKafkaTopic(string Name, int Partitions);
