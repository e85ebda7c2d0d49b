namespace Metering.DevBroker;

/// <summary>Body of <c>POST /v1/brokers/{id}/rtt</c>: the round-trip time in milliseconds, 0 for none.</summary>
internal sealed record SetRttRequest(int RttMs);
