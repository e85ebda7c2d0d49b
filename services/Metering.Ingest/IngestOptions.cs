using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Metering.Ingest;

/// <summary>Request limits and event acceptance rules of the gateway (configuration section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <value>The default value is 1 MiB.</value>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <value>The default value is 1,000.</value>
    [Range(1, 100_000)]
    public int MaxEventsPerRequest { get; set; } = 1000;

    /// <value>The default value is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The retention of open windows: older events are rejected.</summary>
    /// <value>The default value is 35 days.</value>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(35);

    /// <summary>
    /// How long a request waits for room in the producer's bounded queue before it is answered 503:
    /// the gateway never buffers without bound.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan QueueFullWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many messages the producer's local queue holds (librdkafka <c>queue.buffering.max.messages</c>):
    /// events produced and not yet acknowledged. With <see cref="ProducerQueueMaxBytes"/>, the bound on the
    /// gateway's in-flight memory; when it is reached, requests wait <see cref="QueueFullWait"/>.
    /// </summary>
    /// <value>The default value is 100,000.</value>
    [Range(1, 10_000_000)]
    public int ProducerQueueMaxMessages { get; set; } = 100_000;

    /// <summary>How many bytes of messages the producer's local queue holds (librdkafka <c>queue.buffering.max.kbytes</c>).</summary>
    /// <value>The default value is 256 MiB.</value>
    [Range(1024 * 1024, int.MaxValue)]
    public int ProducerQueueMaxBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>What a client is told to wait before retrying when the broker cannot take a batch.</summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>;
