namespace Metering.Kafka.DevBroker;

/// <summary>How <see cref="KafkaJournal"/> keeps the development broker's records on disk.</summary>
public sealed class KafkaJournalOptions
{
    /// <summary>The journal's directory; created if missing. Only one broker may use it at a time.</summary>
    public required string Directory { get; init; }

    /// <summary>How often journaled records are written from the process to the operating system.</summary>
    /// <value>The default value is 200 ms.</value>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long <see cref="KafkaJournal.StopAsync"/> waits for the journal to reach every partition's end.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
