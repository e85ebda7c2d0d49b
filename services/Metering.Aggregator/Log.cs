namespace Metering.Aggregator;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "ConsumerError", Level = LogLevel.Warning, Message = "Kafka consumer error {Code}: {Reason}")]
    public static partial void ConsumerError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 2, EventName = "PartitionAssigned", Level = LogLevel.Information,
        Message = "Partition {Partition} assigned: resuming at offset {NextOffset} after replaying {Replayed} stored events")]
    public static partial void PartitionAssigned(ILogger logger, int partition, long nextOffset, int replayed);

    [LoggerMessage(EventId = 3, EventName = "DeadLetter", Level = LogLevel.Warning,
        Message = "Record {Partition}/{Offset} is undecodable and goes to dead_letters: {Reason}")]
    public static partial void DeadLetter(ILogger logger, int partition, long offset, string reason);

    [LoggerMessage(EventId = 4, EventName = "LateEvent", Level = LogLevel.Debug,
        Message = "Record {Partition}/{Offset} is late for meter {Meter}: its window is final")]
    public static partial void LateEvent(ILogger logger, int partition, long offset, string meter);

    [LoggerMessage(EventId = 5, EventName = "SinkRetry", Level = LogLevel.Warning,
        Message = "ClickHouse write failed; attempt {Attempt} in {Delay}: {Reason}")]
    public static partial void SinkRetry(ILogger logger, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 6, EventName = "OffsetNotStored", Level = LogLevel.Debug,
        Message = "Offset {Offset} of partition {Partition} not stored: {Reason}")]
    public static partial void OffsetNotStored(ILogger logger, int partition, long offset, string reason);

    [LoggerMessage(EventId = 7, EventName = "RecordsLost", Level = LogLevel.Critical,
        Message = "Partition {Partition}: records {NextOffset} to {LogStart} were removed by retention before they were processed")]
    public static partial void RecordsLost(ILogger logger, int partition, long nextOffset, long logStart);
}
