using System.Diagnostics;
using System.Diagnostics.Metrics;
using Metering.Kafka;
using Microsoft.Extensions.Options;
using static Metering.ServiceDefaults.MeteringSemanticConventions;

namespace Metering.Ingest.Telemetry;

/// <summary>The gateway's instruments (STYLE.md §7), on the meter <c>Metering.Ingest</c>.</summary>
internal sealed class IngestMetrics
{
    public const string MeterName = "Metering.Ingest";
    private readonly Counter<long> _events;
    private readonly Counter<long> _sent;
    private readonly Histogram<double> _produceDuration;
    private readonly KeyValuePair<string, object?>[] _destination;

    public IngestMetrics(IMeterFactory meterFactory, IOptions<KafkaOptions> kafka)
    {
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>(IngestEvents, "{event}", "Events the gateway answered for, by outcome.");
        _sent = meter.CreateCounter<long>(MessagingSentMessages, "{message}", "Events the broker acknowledged.");
        _produceDuration = meter.CreateHistogram<double>(MessagingOperationDuration, "s",
            "Time from producing a request's events to the broker's last acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
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
            _events.Add(count, new KeyValuePair<string, object?>(Outcome, "accepted"));
        }
    }

    /// <summary>One rejected event; its reason class is the attribute the reason names (<c>time</c>, <c>id</c>, …).</summary>
    public void Rejected(string reason)
    {
        if (_events.Enabled)
        {
            var separator = reason.IndexOf(':', StringComparison.Ordinal);
            _events.Add(1, new(Outcome, "rejected"), new(ReasonClass, separator > 0 ? reason[..separator] : "event"));
        }
    }

    /// <summary>Events of a request that was refused whole (401, 403, 413, 415, 400 body, 503).</summary>
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
}
