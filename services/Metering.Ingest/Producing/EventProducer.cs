using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Metering.Events;
using Metering.Kafka;
using Microsoft.Extensions.Options;

namespace Metering.Ingest.Producing;

/// <summary>
/// Produces accepted events to the events topic, keyed by account, with the idempotent producer
/// (<c>acks=all</c>). A batch counts as written only when the broker acknowledged every event.
/// </summary>
internal sealed class EventProducer : IHostedService, IDisposable
{
    private static readonly byte[] SchemaVersion = Encoding.ASCII.GetBytes(UsageEventCodec.SchemaVersion);
    private readonly IProducer<string, byte[]> _producer;
    private readonly ILogger<EventProducer> _logger;

    public EventProducer(IOptions<KafkaOptions> options, ILogger<EventProducer> logger)
    {
        _logger = logger;
        Topic = options.Value.Topic;
        _producer = new ProducerBuilder<string, byte[]>(options.Value.CreateProducerConfig())
            .SetErrorHandler((_, error) => Log.ProducerError(logger, error.Code.ToString(), error.Reason))
            .Build();
    }

    public string Topic { get; }

    /// <summary>For health checks: the producer's connection to the cluster.</summary>
    public Handle Handle => _producer.Handle;

    /// <exception cref="BrokerUnavailableException">Some event was not acknowledged.</exception>
    public async Task ProduceAsync(IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        var traceParent = Activity.Current?.Id is { } id ? Encoding.ASCII.GetBytes(id) : null;
        var deliveries = new Task<DeliveryResult<string, byte[]>>[events.Count];
        try
        {
            for (var i = 0; i < events.Count; i++)
            {
                var headers = new Headers { { UsageEventCodec.SchemaVersionHeader, SchemaVersion } };
                if (traceParent is not null)
                {
                    headers.Add("traceparent", traceParent);
                }

                var message = new Message<string, byte[]>
                {
                    Key = events[i].Account,
                    Value = UsageEventCodec.Serialize(events[i]),
                    Headers = headers,
                };
                deliveries[i] = _producer.ProduceAsync(Topic, message, cancellationToken);
            }

            await Task.WhenAll(deliveries);
        }
        catch (KafkaException ex)
        {
            throw new BrokerUnavailableException(ex.Error.Reason, ex);
        }
    }

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
