using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Metering.Events;
using Metering.Ingest.Telemetry;
using Metering.Kafka;
using Metering.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Metering.Ingest.Producing;

/// <summary>
/// Produces accepted events to the events topic, keyed by account, with the idempotent producer
/// (<c>acks=all</c>). A batch counts as written only when the broker acknowledged every event.
/// </summary>
internal sealed class EventProducer : IHostedService, IDisposable
{
    /// <summary>The W3C trace context headers (https://www.w3.org/TR/trace-context/), as Kafka headers.</summary>
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";
    private static readonly byte[] SchemaVersion = Encoding.ASCII.GetBytes(UsageEventCodec.SchemaVersion);
    private static readonly TimeSpan QueueFullRetry = TimeSpan.FromMilliseconds(5);
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly ILogger<EventProducer> _logger;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _queueFullWait;
    private readonly IngestMetrics _metrics;
    private readonly TopicPartition _topicPartition;

    public EventProducer(IOptions<KafkaOptions> options, IOptions<IngestOptions> ingest, TimeProvider clock, IngestMetrics metrics, ILogger<EventProducer> logger)
    {
        _logger = logger;
        _metrics = metrics;
        _clock = clock;
        _queueFullWait = ingest.Value.QueueFullWait;
        Topic = options.Value.Topic;
        _topicPartition = new TopicPartition(Topic, Partition.Any);
        var config = options.Value.CreateProducerConfig();
        config.QueueBufferingMaxMessages = ingest.Value.ProducerQueueMaxMessages;
        config.QueueBufferingMaxKbytes = ingest.Value.ProducerQueueMaxBytes / 1024;
        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, error) =>
            {
                metrics.BrokerError(error.Code.ToString());
                Log.ProducerError(logger, error.Code.ToString(), error.Reason);
            })
            .Build();
    }

    public string Topic { get; }

    /// <summary>For health checks: the producer's connection to the cluster.</summary>
    public Handle Handle => _producer.Handle;

    /// <summary>
    /// Produces every record and waits until the broker acknowledged all of them. While the producer's
    /// local queue is full it waits up to <see cref="IngestOptions.QueueFullWait"/>, so memory stays bounded.
    /// </summary>
    /// <exception cref="BrokerUnavailableException">Some record was not acknowledged, or the queue stayed full.</exception>
    public async Task ProduceAsync(List<EventRecord> records, CancellationToken cancellationToken)
    {
        // One producer span per batch, a child of the request's span when there is one (STYLE.md §7).
        using var activity = IngestActivitySource.Instance.StartActivity($"send {Topic}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MeteringSemanticConventions.MessagingSystem, "kafka");
            activity.SetTag(MeteringSemanticConventions.MessagingDestinationName, Topic);
            activity.SetTag(MeteringSemanticConventions.MessagingOperationName, "send");
            activity.SetTag(MeteringSemanticConventions.MessagingBatchMessageCount, records.Count);
        }

        var trace = activity ?? Activity.Current;
        var headers = new Headers
        {
            { UsageEventCodec.SchemaVersionHeader, SchemaVersion },
            { TraceParentHeader, Encoding.ASCII.GetBytes(TraceParent(trace)) },
        };
        if (trace?.TraceStateString is { Length: > 0 } traceState)
        {
            headers.Add(TraceStateHeader, Encoding.ASCII.GetBytes(traceState));
        }

        var delivery = new BatchDelivery(records.Count);
        // One delegate for the batch: a local function passed as a handler would be a new delegate for every record.
        Action<DeliveryReport<byte[], byte[]>> report = delivered =>
        {
            _metrics.Delivered(1);
            if (delivered.Error.IsError)
            {
                _metrics.BrokerError(delivered.Error.Code.ToString());
            }

            delivery.Report(delivered);
        };

        // The queue gauge counts the batch in once; each delivery report, and each record never produced, counts out.
        _metrics.Enqueued(records.Count);
        long? queueFullSince = null;
        // Produce copies the message into librdkafka's queue (and our delivery reports carry no fields of it), so one
        // message object, and one Headers, serves the batch.
        var message = new Message<byte[], byte[]> { Headers = headers };
        for (var i = 0; i < records.Count; i++)
        {
            (message.Key, message.Value) = (records[i].Key, records[i].Value);
            while (true)
            {
                try
                {
                    _producer.Produce(_topicPartition, message, report);
                    queueFullSince = null;
                    break;
                }
                catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    queueFullSince ??= _clock.GetTimestamp();
                    if (_clock.GetElapsedTime(queueFullSince.Value) >= _queueFullWait)
                    {
                        _metrics.Delivered(records.Count - i);
                        _metrics.BrokerError(ex.Error.Code.ToString());
                        delivery.Abandon(ex.Error);
                        throw new BrokerUnavailableException(
                            $"the producer queue stayed full for {_queueFullWait.TotalSeconds:0.#} s", ex);
                    }

                    await Task.Delay(QueueFullRetry, _clock, cancellationToken);
                }
                catch (KafkaException ex)
                {
                    _metrics.Delivered(records.Count - i);
                    _metrics.BrokerError(ex.Error.Code.ToString());
                    delivery.Abandon(ex.Error);
                    throw new BrokerUnavailableException(ex.Error.Reason, ex);
                }
            }
        }

        try
        {
            await delivery.Task;
        }
        catch (KafkaException ex)
        {
            throw new BrokerUnavailableException(ex.Error.Reason, ex);
        }
    }

    /// <summary>
    /// The W3C <c>traceparent</c> of <paramref name="activity"/>; without one (no request span, no listener),
    /// a new trace, so that every record carries a trace context.
    /// </summary>
    private static string TraceParent(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id }
            ? id
            : $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Graceful shutdown: everything in flight reaches the broker before the process exits.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        var remaining = _producer.Flush(TimeSpan.FromSeconds(10));
        if (remaining > 0)
        {
            Log.FlushIncomplete(_logger, remaining);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _producer.Dispose();
}
