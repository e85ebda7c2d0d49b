using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Metering.Aggregator.Storage;
using Metering.Events;
using Metering.Events.Meters;
using Metering.Kafka;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// The window stage: decodes records, folds them into per-partition tumbling windows and hands the
/// changed rows, with the progress they reach, to the sink in batches.
/// </summary>
internal sealed class WindowAggregator(
    MeterCatalog meters,
    IOptions<AggregatorOptions> options,
    IOptions<KafkaOptions> kafka,
    TimeProvider clock,
    ILogger<WindowAggregator> logger)
{
    /// <summary>The team of events whose subject has no team at event time (DESIGN.md §5.3).</summary>
    public const string UnassignedTeam = "unassigned";

    private readonly AggregatorOptions _options = options.Value;
    private readonly string _topic = kafka.Value.Topic;
    private readonly Dictionary<int, PartitionWindows> _partitions = [];
    private readonly List<UsageEventRow> _events = [];
    private readonly List<DeadLetterRow> _deadLetters = [];
    private readonly HashSet<(int Partition, RollupKey Key)> _dirty = [];
    private readonly HashSet<int> _touched = [];
    private DateTimeOffset? _batchStartedAt;

    public async Task RunAsync(ChannelReader<SourceMessage> input, ChannelWriter<WindowBatch> output, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await foreach (var message in input.ReadAllAsync(cancellationToken))
            {
                switch (message)
                {
                    case PartitionAssigned assigned:
                        Assign(assigned);
                        break;
                    case PartitionRevoked revoked:
                        await FlushAsync(output, cancellationToken);
                        _partitions.Remove(revoked.Partition);
                        break;
                    case ConsumedRecord record:
                        Apply(record);
                        break;
                }

                if (_batchStartedAt is { } started
                    && (message is IdleTick || _events.Count + _deadLetters.Count >= _options.MaxBatchRecords
                        || clock.GetUtcNow() - started >= _options.FlushInterval))
                {
                    await FlushAsync(output, cancellationToken);
                }
            }

            await FlushAsync(output, cancellationToken);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            output.TryComplete(failure);
        }
    }

    private void Assign(PartitionAssigned assigned)
    {
        var partition = new PartitionWindows(assigned.Partition, assigned.NextOffset, assigned.WatermarkMs);
        _partitions[assigned.Partition] = partition;
        foreach (var stored in assigned.Replay)
        {
            var time = stored.EventTime.AddMilliseconds(stored.EventTimeMs);
            var usageEvent = new UsageEvent(stored.Id, stored.Source, stored.Type, time,
                stored.Subject.Length == 0 ? null : stored.Subject, stored.Account, stored.Data.Length == 0 ? null : stored.Data, "", time);
            Fold(partition, (long)stored.KafkaOffset, usageEvent, stored.Team, markDirty: false);
        }

        Log.PartitionAssigned(logger, assigned.Partition, assigned.NextOffset, assigned.Replay.Count);
    }

    private void Apply(ConsumedRecord record)
    {
        if (!_partitions.TryGetValue(record.Partition, out var partition))
        {
            // A record of a partition revoked in the meantime; its new owner replays it.
            return;
        }

        _batchStartedAt ??= clock.GetUtcNow();
        _touched.Add(record.Partition);
        partition.NextOffset = record.Offset + 1;
        var usageEvent = UsageEventCodec.Deserialize(record.Value, out var reason);
        if (usageEvent is null)
        {
            _deadLetters.Add(new DeadLetterRow(_topic, (ushort)record.Partition, (ulong)record.Offset, record.Key ?? "",
                Convert.ToBase64String(record.Value), reason!, clock.GetUtcNow()));
            Log.DeadLetter(logger, record.Partition, record.Offset, reason!);
            return;
        }

        var team = UnassignedTeam;
        var errors = Fold(partition, record.Offset, usageEvent, team, markDirty: true);
        var seconds = DateTimeOffset.FromUnixTimeSeconds(usageEvent.Time.ToUnixTimeSeconds());
        _events.Add(new UsageEventRow((ushort)record.Partition, (ulong)record.Offset, usageEvent.Account, usageEvent.Source,
            usageEvent.Id, usageEvent.Type, usageEvent.Subject ?? "", team, "", seconds,
            (ushort)(usageEvent.Time - seconds).TotalMilliseconds, usageEvent.IngestId, usageEvent.IngestedAt,
            usageEvent.Data ?? "", 0, errors));
    }

    /// <summary>Adds one event to every meter that selects it; returns the value errors, if any.</summary>
    private string Fold(PartitionWindows partition, long offset, UsageEvent usageEvent, string team, bool markDirty)
    {
        var selecting = meters.ForEventType(usageEvent.Type);
        var eventTimeMs = usageEvent.Time.ToUnixTimeMilliseconds();
        partition.WatermarkMs = Math.Max(partition.WatermarkMs, eventTimeMs - (long)_options.OutOfOrderness.TotalMilliseconds);
        if (selecting.Count == 0)
        {
            return "";
        }

        using var document = usageEvent.Data is null ? null : JsonDocument.Parse(usageEvent.Data);
        var data = document?.RootElement;
        var windowStart = TumblingWindow.StartOf(usageEvent.Time, _options.WindowSize);
        var finalAtMs = (windowStart + _options.WindowSize + _options.AllowedLateness).ToUnixTimeMilliseconds();
        StringBuilder? errors = null;
        foreach (var meter in selecting)
        {
            var value = meter.ValueProperty is { } path && data is { } d ? path.SelectValue(d) : MeterValue.Missing;
            if (value.Kind == MeterValueKind.Invalid)
            {
                (errors ??= new StringBuilder()).Append(errors.Length > 0 ? "; " : "").Append(meter.Name).Append(": ").Append(value.Error);
            }

            if (finalAtMs <= partition.WatermarkMs && markDirty)
            {
                // The window is final: the value never changes again (DESIGN.md §5.5).
                Log.LateEvent(logger, partition.Partition, offset, meter.Name);
                continue;
            }

            var key = new RollupKey(meter.Name, usageEvent.Account, team, usageEvent.Subject ?? "", GroupByJson(meter, data), windowStart);
            if (!partition.Windows.TryGetValue(key, out var state))
            {
                partition.Windows[key] = state = new WindowState();
            }

            var number = value.Kind == MeterValueKind.Number ? value.Number : (double?)null;
            state.Accumulator.Add(number, eventTimeMs);
            if (meter.Aggregation == Aggregation.UniqueCount && number is { } n)
            {
                state.Accumulator.AddUnique(n.ToString("R", CultureInfo.InvariantCulture));
            }

            state.Version = (ulong)offset;
            if (markDirty)
            {
                _dirty.Add((partition.Partition, key));
            }
        }

        return errors?.ToString() ?? "";
    }

    /// <summary>The meter's group-by values as a JSON object with its names in ordinal order.</summary>
    private static string GroupByJson(MeterDefinition meter, JsonElement? data)
    {
        if (meter.GroupBy.Count == 0)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, path) in meter.GroupBy.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, data is { } d ? path.SelectText(d) : "");
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task FlushAsync(ChannelWriter<WindowBatch> output, CancellationToken cancellationToken)
    {
        if (_batchStartedAt is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var rollups = new List<RollupRow>(_dirty.Count);
        foreach (var (partitionId, key) in _dirty)
        {
            var state = _partitions[partitionId].Windows[key];
            var a = state.Accumulator;
            rollups.Add(new RollupRow(key.Meter, key.Account, key.Team, key.Subject, key.GroupBy, key.WindowStart,
                key.WindowStart + _options.WindowSize, (ushort)partitionId, a.EventCount, a.ValueCount, a.Sum, a.Min, a.Max,
                a.Latest, a.LatestTimeMs, [.. a.UniqueValues], DateTimeOffset.UnixEpoch, state.Version, now));
        }

        var progress = _touched.Select(p => _partitions[p])
            .Select(p => new ProgressRow(_topic, (ushort)p.Partition, (ulong)p.NextOffset, p.WatermarkMs, (ulong)p.NextOffset, now))
            .ToList();
        var batch = new WindowBatch([.. _events], [.. _deadLetters], rollups, progress);
        _events.Clear();
        _deadLetters.Clear();
        _dirty.Clear();
        _touched.Clear();
        _batchStartedAt = null;
        await output.WriteAsync(batch, cancellationToken);
    }
}
