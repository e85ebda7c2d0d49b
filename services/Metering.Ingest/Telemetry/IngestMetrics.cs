using System.Diagnostics;
using System.Diagnostics.Metrics;
using Metering.Kafka;
using Microsoft.Extensions.Options;
using static Metering.ServiceDefaults.MeteringSemanticConventions;

namespace Metering.Ingest.Telemetry;

/// <summary>The gateway's instruments (STYLE.md §7), on the meter <c>Metering.Ingest</c>.</summary>
/// <remarks>
/// Requests refused before their events are counted (401, 415, a body over the byte limit, a body that is
/// not JSON) show only in ASP.NET Core's <c>http.server.request.duration</c> by status code.
/// </remarks>
internal sealed class IngestMetrics
{
    public const string MeterName = "Metering.Ingest";

    /// <summary>The reason classes <see cref="Rejected"/> reports; any other becomes <c>other</c>, so the set stays bounded.</summary>
    private static readonly HashSet<string> ReasonClasses =
        ["event", "specversion", "id", "source", "type", "account", "time", "subject", "data"];

    private readonly Counter<long> _events;
    private readonly Counter<long> _sent;
    private readonly Histogram<double> _produceDuration;
    private readonly Counter<long> _brokerErrors;
    private readonly KeyValuePair<string, object?>[] _destination;
    private long _producerQueue;

    public IngestMetrics(IMeterFactory meterFactory, IOptions<KafkaOptions> kafka)
    {
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>(IngestEvents, "{event}", "Events the gateway answered for, by outcome.");
        _sent = meter.CreateCounter<long>(MessagingSentMessages, "{message}", "Events the broker acknowledged.");
        _produceDuration = meter.CreateHistogram<double>(MessagingOperationDuration, "s",
            "Time from producing a request's events to the broker's last acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _brokerErrors = meter.CreateCounter<long>(IngestBrokerErrors, "{error}",
            "Errors the Kafka client reported: client errors and failed deliveries, by error code.");
        meter.CreateObservableUpDownCounter(IngestProducerQueue, () => Volatile.Read(ref _producerQueue), "{message}",
            "Messages handed to the Kafka producer and not yet acknowledged or failed.");
        _destination =
        [
            new(MessagingSystem, "kafka"),
            new(MessagingDestinationName, kafka.Value.Topic),
            new(MessagingOperationName, "send"),
        ];
    }

    public void Accepted(int count)
    {
        if (count > 0 && _events.Enabled)
        {
            _events.Add(count, new KeyValuePair<string, object?>(Outcome, OutcomeValues.Accepted));
        }
    }

    /// <summary>One rejected event; its reason class is the attribute the reason names (<c>time</c>, <c>id</c>, …).</summary>
    public void Rejected(string reason)
    {
        if (_events.Enabled)
        {
            var separator = reason.IndexOf(':', StringComparison.Ordinal);
            var reasonClass = separator > 0 ? reason[..separator] : "event";
            _events.Add(1, new(Outcome, OutcomeValues.Rejected), new(ReasonClass, ReasonClasses.Contains(reasonClass) ? reasonClass : "other"));
        }
    }

    /// <summary>Events of a request that was refused whole; <paramref name="outcome"/> is one of <see cref="OutcomeValues"/>.</summary>
    public void Refused(int count, string outcome)
    {
        if (count > 0 && _events.Enabled)
        {
            _events.Add(count, new KeyValuePair<string, object?>(Outcome, outcome));
        }
    }

    public void Produced(int count, TimeSpan elapsed, string? errorType)
    {
        if (errorType is null && _sent.Enabled)
        {
            _sent.Add(count, _destination);
        }

        if (_produceDuration.Enabled)
        {
            var tags = new TagList(_destination);
            if (errorType is not null)
            {
                tags.Add(ErrorType, errorType);
            }

            _produceDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>Messages go into the producer's queue; <see cref="Delivered"/> takes them out.</summary>
    public void Enqueued(int count) => Interlocked.Add(ref _producerQueue, count);

    /// <summary>The producer reported messages delivered, successfully or not, or they were never produced.</summary>
    public void Delivered(int count) => Interlocked.Add(ref _producerQueue, -count);

    /// <summary>An error of the Kafka client; <paramref name="errorType"/> is a Confluent.Kafka <c>ErrorCode</c> name (a fixed set).</summary>
    public void BrokerError(string errorType)
    {
        if (_brokerErrors.Enabled)
        {
            _brokerErrors.Add(1, new KeyValuePair<string, object?>(ErrorType, errorType));
        }
    }
}
