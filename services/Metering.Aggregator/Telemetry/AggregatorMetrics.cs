using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Metering.Aggregator.Pipeline;
using Metering.Kafka;
using Metering.ServiceDefaults;
using Microsoft.Extensions.Options;
using static Metering.ServiceDefaults.MeteringSemanticConventions;

namespace Metering.Aggregator.Telemetry;

/// <summary>
/// The aggregator's instruments (STYLE.md §7), on the meter <c>Metering.Aggregator</c>: the SRE figures of
/// DESIGN.md §7 — consumer lag and watermark per partition, duplicates, attribution, late events, dead
/// letters, sink errors and flush duration.
/// </summary>
internal sealed class AggregatorMetrics
{
    public const string MeterName = "Metering.Aggregator";

    private readonly Counter<long> _consumed;
    private readonly Counter<long> _events;
    private readonly Counter<long> _attribution;
    private readonly Counter<long> _adjustments;
    private readonly Histogram<double> _lateness;
    private readonly Histogram<double> _flushDuration;
    private readonly Counter<long> _sinkErrors;
    private readonly KeyValuePair<string, object?>[] _source;
    private readonly ConcurrentDictionary<int, (long Lag, long WatermarkMs)> _partitions = new();
    private PendingCounts _pending;

    public AggregatorMetrics(IMeterFactory meterFactory, IOptions<KafkaOptions> kafka)
    {
        var meter = meterFactory.Create(MeterName);
        _consumed = meter.CreateCounter<long>(MessagingConsumedMessages, "{message}", "Kafka records applied.");
        _events = meter.CreateCounter<long>(AggregatorEvents, "{event}",
            "Records by outcome: counted, duplicate (seen within the dedupe horizon) or dead_letter (undecodable).");
        _attribution = meter.CreateCounter<long>(AggregatorAttribution, "{event}",
            "Counted events by attribution: assigned (a team at event time) or unassigned.");
        _adjustments = meter.CreateCounter<long>(AggregatorAdjustments, "{event}",
            "Late events: one per event and meter whose window was already final.");
        _lateness = meter.CreateHistogram<double>(WindowLateness, "s", "How far the watermark was past a late event's window end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [60, 600, 3600, 21600, 86400, 259200, 864000] });
        _flushDuration = meter.CreateHistogram<double>(AggregatorFlushDuration, "s", "Time to write one batch to ClickHouse, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _sinkErrors = meter.CreateCounter<long>(AggregatorSinkErrors, "{error}", "Failed ClickHouse writes (each is retried).");
        meter.CreateObservableGauge(AggregatorConsumerLag, () => _partitions.Select(p =>
                new Measurement<long>(p.Value.Lag, new KeyValuePair<string, object?>(MessagingPartition, p.Key))),
            "{message}", "Records of an owned partition not yet applied, at the last flush.");
        meter.CreateObservableGauge(AggregatorWatermark, () => _partitions.Where(p => p.Value.WatermarkMs != long.MinValue).Select(p =>
                new Measurement<double>(p.Value.WatermarkMs / 1000.0, new KeyValuePair<string, object?>(MessagingPartition, p.Key))),
            "s", "Event-time watermark of an owned partition, Unix seconds.");
        _source = [new(MessagingSystem, "kafka"), new(MessagingDestinationName, kafka.Value.Topic)];
    }

    /// <summary>Counts an applied record; the counters see it at the next <see cref="Publish"/>. Window stage only.</summary>
    public void Applied(RecordOutcome outcome)
    {
        if (outcome.Duplicate)
        {
            _pending.Duplicates++;
            return;
        }

        _pending.Counted++;
        if (outcome.Attributed)
        {
            _pending.Assigned++;
        }

        if (outcome.LateMeters > 0)
        {
            _adjustments.Add(outcome.LateMeters);
            _lateness.Record(outcome.LatenessSeconds);
        }
    }

    /// <summary>Counts an undecodable record; the counters see it at the next <see cref="Publish"/>. Window stage only.</summary>
    public void DeadLetter() => _pending.DeadLetters++;

    /// <summary>
    /// Adds the records counted since the last call to the counters: once a batch rather than once a record, which
    /// would cost more than applying the record. Window stage only.
    /// </summary>
    public void Publish()
    {
        var p = _pending;
        _pending = default;
        Add(_consumed, p.Counted + p.Duplicates + p.DeadLetters, _source);
        Add(_events, p.Counted, new KeyValuePair<string, object?>(Outcome, "counted"));
        Add(_events, p.Duplicates, new KeyValuePair<string, object?>(Outcome, "duplicate"));
        Add(_events, p.DeadLetters, new KeyValuePair<string, object?>(Outcome, "dead_letter"));
        Add(_attribution, p.Assigned, new KeyValuePair<string, object?>(MeteringSemanticConventions.Attribution, "assigned"));
        Add(_attribution, p.Counted - p.Assigned, new KeyValuePair<string, object?>(MeteringSemanticConventions.Attribution, "unassigned"));

        static void Add(Counter<long> counter, long value, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (value > 0)
            {
                counter.Add(value, tags);
            }
        }
    }

    public void Flushed(TimeSpan duration) => _flushDuration.Record(duration.TotalSeconds);

    public void SinkError() => _sinkErrors.Add(1);

    public void PartitionProgress(int partition, long lag, long watermarkMs) => _partitions[partition] = (Math.Max(0, lag), watermarkMs);

    public void PartitionRevoked(int partition) => _partitions.TryRemove(partition, out _);

    private struct PendingCounts
    {
        public long Counted;
        public long Duplicates;
        public long DeadLetters;
        public long Assigned;
    }
}
