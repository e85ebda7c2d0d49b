namespace Metering.DevBroker;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information,
        "Development broker ready: bootstrap servers {BootstrapServers}; topics {Topics}; journal {DataDirectory}",
        EventName = "DevBrokerReady")]
    public static partial void Ready(ILogger logger, string bootstrapServers, string topics, string dataDirectory);

    [LoggerMessage(2, LogLevel.Information, "Control API request refused: {Reason}", EventName = "ControlRequestRefused")]
    public static partial void RequestRefused(ILogger logger, string reason);
}
