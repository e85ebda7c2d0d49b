namespace Metering.Ingest;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "ProducerError", Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    public static partial void ProducerError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 2, EventName = "BrokerUnavailable", Level = LogLevel.Warning,
        Message = "Broker did not acknowledge a batch of {Count} events: {Reason}")]
    public static partial void BrokerUnavailable(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 3, EventName = "FlushIncomplete", Level = LogLevel.Error,
        Message = "{Remaining} messages were still unacknowledged when the producer stopped")]
    public static partial void FlushIncomplete(ILogger logger, int remaining);
}
