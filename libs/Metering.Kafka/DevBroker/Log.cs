using System.Net;
using Microsoft.Extensions.Logging;

namespace Metering.Kafka.DevBroker;

/// <summary>Log messages of the development broker (event ids 9000-9099).</summary>
internal static partial class Log
{
    [LoggerMessage(9000, LogLevel.Warning,
        "This is an IN-MEMORY DEVELOPMENT Kafka broker (librdkafka mock cluster), NOT for production: "
        + "it keeps everything in memory, loses all data when it stops and does not implement transactions",
        EventName = "DevBrokerNotForProduction")]
    public static partial void NotForProduction(ILogger logger);

    [LoggerMessage(9001, LogLevel.Information,
        "Development broker started with {BrokerCount} broker(s); bootstrap servers {BootstrapServers}",
        EventName = "DevBrokerStarted")]
    public static partial void Started(ILogger logger, int brokerCount, string bootstrapServers);

    [LoggerMessage(9002, LogLevel.Information, "Broker {BrokerId} listens on {Endpoint} and relays to {Backend}",
        EventName = "DevBrokerRelayStarted")]
    public static partial void RelayStarted(ILogger logger, int brokerId, IPEndPoint endpoint, IPEndPoint backend);

    [LoggerMessage(9003, LogLevel.Information, "Created topic {Topic} with {Partitions} partition(s)",
        EventName = "DevBrokerTopicCreated")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(9004, LogLevel.Information, "Broker {BrokerId} set {State}", EventName = "DevBrokerBrokerState")]
    public static partial void BrokerState(ILogger logger, int brokerId, string state);

    [LoggerMessage(9005, LogLevel.Information, "Broker {BrokerId} round-trip time set to {Rtt}", EventName = "DevBrokerRtt")]
    public static partial void RttSet(ILogger logger, int brokerId, TimeSpan rtt);

    [LoggerMessage(9006, LogLevel.Information, "Pushed {Count} error(s) for API key {ApiKey}: {Errors}",
        EventName = "DevBrokerErrorsPushed")]
    public static partial void ErrorsPushed(ILogger logger, int count, short apiKey, string errors);

    [LoggerMessage(9007, LogLevel.Information, "Cleared pushed errors for API key {ApiKey}", EventName = "DevBrokerErrorsCleared")]
    public static partial void ErrorsCleared(ILogger logger, short apiKey);

    [LoggerMessage(9008, LogLevel.Debug, "Relay for broker {BrokerId} cannot reach {Backend}: {Reason}",
        EventName = "DevBrokerRelayConnectFailed")]
    public static partial void RelayConnectFailed(ILogger logger, int brokerId, IPEndPoint backend, string reason);

    [LoggerMessage(9009, LogLevel.Warning, "Relay for broker {BrokerId} stopped accepting connections",
        EventName = "DevBrokerRelayAcceptFailed")]
    public static partial void RelayAcceptFailed(ILogger logger, int brokerId, Exception exception);

    [LoggerMessage(9010, LogLevel.Information, "Development broker stopped", EventName = "DevBrokerStopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(9011, LogLevel.Information, "Restored {Count} records of topic {Topic} from {Directory} in {Elapsed}",
        EventName = "DevBrokerJournalRestored")]
    public static partial void JournalRestored(ILogger logger, long count, string topic, string directory, TimeSpan elapsed);

    [LoggerMessage(9012, LogLevel.Information, "No journal in {Directory} yet: the development broker starts empty",
        EventName = "DevBrokerJournalEmpty")]
    public static partial void JournalEmpty(ILogger logger, string directory);

    [LoggerMessage(9013, LogLevel.Warning,
        "Dropped an incomplete last record of {Path} (the broker stopped while writing it): kept {ValidBytes} of {FileBytes} bytes",
        EventName = "DevBrokerJournalTruncatedTail")]
    public static partial void JournalTruncatedTail(ILogger logger, string path, long validBytes, long fileBytes);

    [LoggerMessage(9014, LogLevel.Information, "Journaling {Topics} topic(s), {Partitions} partition(s) to {Directory}",
        EventName = "DevBrokerJournalStarted")]
    public static partial void JournalStarted(ILogger logger, int topics, int partitions, string directory);

    [LoggerMessage(9015, LogLevel.Information, "Journaling topic {Topic} with {Partitions} partition(s)",
        EventName = "DevBrokerJournalTopicAdded")]
    public static partial void JournalTopicAdded(ILogger logger, string topic, int partitions);

    [LoggerMessage(9016, LogLevel.Warning, "Journal consumer error: {Reason}", EventName = "DevBrokerJournalConsumeError")]
    public static partial void JournalConsumeError(ILogger logger, string reason);

    [LoggerMessage(9017, LogLevel.Warning,
        "Journal of {Topic} [{Partition}] skips offsets {Expected} to {Offset}: the broker has no records there (transaction "
        + "markers?), so this journal cannot be restored at the same offsets",
        EventName = "DevBrokerJournalGap")]
    public static partial void JournalGap(ILogger logger, string topic, int partition, long expected, long offset);

    [LoggerMessage(9018, LogLevel.Error, "Journaling to {Directory} failed: new records are no longer journaled",
        EventName = "DevBrokerJournalFailed")]
    public static partial void JournalFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(9019, LogLevel.Information,
        "Journal caught up on stop: {Records} record(s) journaled in this run, {Partitions} partition(s) complete in {Directory} "
        + "(catch-up took {Elapsed})",
        EventName = "DevBrokerJournalCaughtUp")]
    public static partial void JournalCaughtUp(ILogger logger, long records, int partitions, string directory, TimeSpan elapsed);

    [LoggerMessage(9020, LogLevel.Warning,
        "Journal did not catch up within {Timeout}; these partitions lose their last records on restart: {Behind}",
        EventName = "DevBrokerJournalBehind")]
    public static partial void JournalBehind(ILogger logger, TimeSpan timeout, string behind);
}
