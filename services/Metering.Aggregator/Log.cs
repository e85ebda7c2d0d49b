namespace Metering.Aggregator;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "ConsumerError", Level = LogLevel.Warning, Message = "Kafka consumer error {Code}: {Reason}")]
    public static partial void ConsumerError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 2, EventName = "PartitionAssigned", Level = LogLevel.Information,
        Message = "Partition {Partition} assigned: resuming at offset {NextOffset} with {OpenRollups} open rollups, {DedupeKeys} dedupe keys and {StoredDecisions} stored decisions")]
    public static partial void PartitionAssigned(ILogger logger, int partition, long nextOffset, int openRollups, int dedupeKeys, int storedDecisions);

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

    [LoggerMessage(EventId = 8, EventName = "DirectoryRefreshFailed", Level = LogLevel.Warning,
        Message = "Reading the team assignments failed; the {Count} held stay in use: {Reason}")]
    public static partial void DirectoryRefreshFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 9, EventName = "DirectoryLoaded", Level = LogLevel.Information, Message = "Team directory: {Count} assignments")]
    public static partial void DirectoryLoaded(ILogger logger, int count);
}
