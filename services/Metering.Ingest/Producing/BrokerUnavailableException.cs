namespace Metering.Ingest.Producing;

/// <summary>The broker did not acknowledge every event of a batch: the request is answered 503.</summary>
public sealed class BrokerUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
