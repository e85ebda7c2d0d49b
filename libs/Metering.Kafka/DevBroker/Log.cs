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
}
