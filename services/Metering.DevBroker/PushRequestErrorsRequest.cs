namespace Metering.DevBroker;

/// <summary>Body of <c>POST /v1/errors</c>: Kafka error codes the next requests with the API key fail with, in order.</summary>
internal sealed record PushRequestErrorsRequest(int ApiKey, IReadOnlyList<int>? Errors);
