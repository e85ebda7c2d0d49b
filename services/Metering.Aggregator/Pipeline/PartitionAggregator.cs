using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Metering.Aggregator.Attribution;
using Metering.Aggregator.Storage;
using Metering.Events;
using Metering.Events.Meters;
using Metering.Windowing;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// The state of one partition this instance owns, and the rules of DESIGN.md §5 applied to its records
/// in offset order: dedupe within the horizon, attribution at event time, tumbling windows under the
/// watermark, finality, late events as adjustments. Pure: no I/O and no clock of its own.
/// </summary>
/// <remarks>
/// Every decision is a function of the records in log order, except two that are stored instead:
/// the team (the directory may change) is kept with the raw event and repeated on replay, and a window
/// finalized by an idle partition's clock is recognized on replay by its final rollup row.
/// </remarks>
internal sealed class PartitionAggregator
{
    /// <summary>The window start that stands for "no open window": no watermark makes it final.</summary>
    private const long NoWindow = long.MaxValue / 2;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _groupByBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _groupByWriter;

    private readonly WindowPolicy _policy;
    private readonly long _dedupeHorizonMs;
    private readonly MeterCatalog _meters;
    private readonly TeamDirectory _directory;
    private readonly DedupeSet _dedupe = new();
    private readonly Dictionary<RollupKey, WindowState> _windows = [];
    private readonly SortedDictionary<long, List<RollupKey>> _keysByWindow = [];
    private long _earliestWindowStartMs = NoWindow; // the first key of _keysByWindow
    private List<RollupKey>? _spareKeys; // the emptied key list of the last finalized window, for the next window
    private readonly List<(RollupKey Key, WindowState State)> _dirty = []; // changed since the last flush
    private readonly Dictionary<long, StoredDecisionRow> _storedDecisions;
    private readonly Dictionary<MeterDefinition, KeyValuePair<string, JsonPath>[]> _groupByOrder = new(ReferenceEqualityComparer.Instance);
    private readonly Utf8StringCache _groupByStrings = new(1 << 14); // one string for each set of values its windows share
    private bool _touched;

    public PartitionAggregator(
        int partition, PartitionSnapshot snapshot, WindowPolicy policy, TimeSpan dedupeHorizon, MeterCatalog meters, TeamDirectory directory)
    {
        Partition = partition;
        _policy = policy;
        _dedupeHorizonMs = (long)dedupeHorizon.TotalMilliseconds;
        _meters = meters;
        _directory = directory;
        NextOffset = snapshot.NextOffset;
        LogEndOffset = snapshot.NextOffset;
        WatermarkMs = snapshot.WatermarkMs;
        _storedDecisions = snapshot.Tail.ToDictionary(d => (long)d.KafkaOffset);
        foreach (var row in snapshot.Rollups.Where(r => r.FinalizedAt > DateTimeOffset.UnixEpoch))
        {
            // Final before the crash, perhaps by an idle partition's clock after the last progress row.
            WatermarkMs = Math.Max(WatermarkMs, _policy.FinalAt(row.WindowStart.ToUnixTimeMilliseconds()));
        }

        foreach (var row in snapshot.Rollups.Where(r => r.FinalizedAt == DateTimeOffset.UnixEpoch))
        {
            var key = new RollupKey(row.Meter, row.Account, row.Team, row.Subject, row.GroupBy, row.WindowStart.ToUnixTimeMilliseconds());
            _windows[key] = WindowState.Restore(row);
            Track(key);
        }

        foreach (var key in snapshot.DedupeKeys)
        {
            _dedupe.TryAdd(key.Account, key.Source, key.Id, key.EventTime.ToUnixTimeMilliseconds() + key.EventTimeMs);
        }
    }

    public int Partition { get; }

    /// <summary>The offset after the last record applied.</summary>
    public long NextOffset { get; private set; }

    /// <summary>The end of the partition's log as last seen.</summary>
    public long LogEndOffset { get; set; }

    /// <summary>Event-time progress, Unix milliseconds; <see cref="long.MinValue"/> before any event.</summary>
    public long WatermarkMs { get; private set; }

    /// <summary>Dedupe keys remembered.</summary>
    public int DedupeKeys => _dedupe.Count;

    /// <summary>Rollup rows held in memory (open windows).</summary>
    public int OpenRollups => _windows.Count;

    /// <summary>Finalizes what the restored watermark already closes; call once after construction.</summary>
    public void Resume(WindowBatch output, DateTimeOffset now) => FinalizeClosedWindows(output, now);

    /// <summary>Counts a record that could not be decoded: it moves the offset, nothing else.</summary>
    public void Skip(long offset)
    {
        NextOffset = offset + 1;
        _storedDecisions.Remove(offset);
        _touched = true;
    }

    /// <summary>
    /// Applies the event at <paramref name="offset"/>, whose <c>data</c> object is <paramref name="data"/> (UTF-8 JSON, empty
    /// when it has none; <see cref="UsageEvent.Data"/> is not read), adding its rows to <paramref name="output"/>.
    /// </summary>
    public RecordOutcome Apply(long offset, UsageEvent usageEvent, ReadOnlyMemory<byte> data, WindowBatch output, DateTimeOffset now)
    {
        NextOffset = offset + 1;
        _touched = true;
        var timeMs = usageEvent.Time.ToUnixTimeMilliseconds();
        bool duplicate;
        string team, group;
        if (_storedDecisions.Remove(offset, out var stored))
        {
            (duplicate, team, group) = (stored.Duplicate != 0, stored.Team, stored.GroupName);
            if (!duplicate)
            {
                _dedupe.TryAdd(usageEvent.Account, usageEvent.Source, usageEvent.Id, timeMs);
            }
        }
        else
        {
            duplicate = !_dedupe.TryAdd(usageEvent.Account, usageEvent.Source, usageEvent.Id, timeMs);
            (team, group) = _directory.Resolve(usageEvent.Account, usageEvent.Subject, timeMs);
        }

        var outcome = new RecordOutcome(duplicate, team != TeamDirectory.Unassigned, 0, 0);
        var errors = "";
        if (!duplicate)
        {
            AdvanceWatermark(_policy.WatermarkFor(timeMs), output, now);
            (outcome, errors) = Fold(offset, usageEvent, data, timeMs, team, output, now, outcome);
        }

        var seconds = usageEvent.Time.ToUnixTimeSeconds();
        output.Events.Add(new UsageEventRow((ushort)Partition, (ulong)offset, usageEvent.Account, usageEvent.Source, usageEvent.Id,
            usageEvent.Type, usageEvent.Subject ?? "", team, group, DateTimeOffset.FromUnixTimeSeconds(seconds),
            (ushort)(timeMs - (seconds * 1000)), usageEvent.IngestId, usageEvent.IngestedAt, data,
            duplicate ? (byte)1 : (byte)0, errors));
        return outcome;
    }

    /// <summary>
    /// The partition was caught up at <paramref name="endOffset"/> when <paramref name="observedAtMs"/> was
    /// read from the clock: nothing older can still arrive in order, so the watermark follows the clock.
    /// </summary>
    public void AdvanceIdle(long endOffset, long observedAtMs, WindowBatch output, DateTimeOffset now)
    {
        if (endOffset != NextOffset || NextOffset == 0)
        {
            return; // records arrived since, or nothing to close
        }

        var before = WatermarkMs;
        AdvanceWatermark(_policy.WatermarkFor(observedAtMs), output, now);
        _touched |= WatermarkMs != before;
    }

    /// <summary>Adds the provisional rows changed since the last flush and the progress row to <paramref name="output"/>.</summary>
    public void Flush(WindowBatch output, string topic, DateTimeOffset now)
    {
        foreach (var (key, state) in _dirty)
        {
            if (state.Dirty)
            {
                output.Rollups.Add(Row(key, state, final: false, now));
                state.Dirty = false;
            }
        }

        _dirty.Clear();
        if (_touched)
        {
            output.Progress.Add(new ProgressRow(topic, (ushort)Partition, (ulong)NextOffset, WatermarkMs,
                (ulong)Math.Max(LogEndOffset, NextOffset), now));
            _touched = false;
        }
    }

    private (RecordOutcome Outcome, string Errors) Fold(
        long offset, UsageEvent usageEvent, ReadOnlyMemory<byte> data, long timeMs, string team, WindowBatch output, DateTimeOffset now,
        RecordOutcome outcome)
    {
        var selecting = _meters.ForEventType(usageEvent.Type);
        if (selecting.Count == 0)
        {
            return (outcome, "");
        }

        using var document = data.IsEmpty ? null : JsonDocument.Parse(data);
        var root = document?.RootElement;
        var windowStartMs = _policy.StartOf(timeMs);
        var final = _policy.IsFinal(windowStartMs, WatermarkMs);
        StringBuilder? errors = null;
        for (var i = 0; i < selecting.Count; i++) // foreach over the interface would allocate an enumerator for every event
        {
            var meter = selecting[i];
            var value = meter.ValueProperty is { } path && root is { } d ? path.SelectValue(d) : MeterValue.Missing;
            if (value.Kind == MeterValueKind.Invalid)
            {
                (errors ??= new StringBuilder()).Append(errors.Length > 0 ? "; " : "").Append(meter.Name).Append(": ").Append(value.Error);
            }

            double? number = value.Kind == MeterValueKind.Number ? value.Number : null;
            var unique = meter.Aggregation == Aggregation.UniqueCount && number is { } n ? n.ToString("R", CultureInfo.InvariantCulture) : "";
            var key = new RollupKey(meter.Name, usageEvent.Account, team, usageEvent.Subject ?? "", GroupByJson(meter, root), windowStartMs);
            if (final)
            {
                // Final never changes (DESIGN.md §5.5): the event is an adjustment of its window.
                var seconds = usageEvent.Time.ToUnixTimeSeconds();
                output.Adjustments.Add(new AdjustmentRow(key.Meter, key.Account, key.Team, key.Subject, key.GroupBy,
                    DateTimeOffset.FromUnixTimeMilliseconds(windowStartMs), DateTimeOffset.FromUnixTimeMilliseconds(_policy.EndOf(windowStartMs)),
                    (ushort)Partition, (ulong)offset, usageEvent.Source, usageEvent.Id, DateTimeOffset.FromUnixTimeSeconds(seconds),
                    (ushort)(timeMs - (seconds * 1000)), number is null ? (byte)0 : (byte)1, number ?? 0, unique, now));
                outcome = outcome with
                {
                    LateMeters = outcome.LateMeters + 1,
                    LatenessSeconds = (WatermarkMs - _policy.EndOf(windowStartMs)) / 1000.0,
                };
                continue;
            }

            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_windows, key, out var exists);
            if (!exists)
            {
                slot = new WindowState();
                Track(key);
            }

            var state = slot!;

            if (offset <= state.LastOffset)
            {
                continue; // restored from a row written before a crash that already holds this record
            }

            state.Add(number, timeMs);
            if (unique.Length > 0)
            {
                state.AddUnique(unique);
            }

            state.LastOffset = offset;
            if (!state.Dirty)
            {
                state.Dirty = true;
                _dirty.Add((key, state));
            }
        }

        return (outcome, errors?.ToString() ?? "");
    }

    private void AdvanceWatermark(long candidateMs, WindowBatch output, DateTimeOffset now)
    {
        if (candidateMs <= WatermarkMs)
        {
            return;
        }

        WatermarkMs = candidateMs;
        FinalizeClosedWindows(output, now);
        _dedupe.EvictBefore(WatermarkMs - _dedupeHorizonMs);
    }

    private void FinalizeClosedWindows(WindowBatch output, DateTimeOffset now)
    {
        // The watermark moves with nearly every event: check the earliest open window before walking the tree.
        while (_policy.IsFinal(_earliestWindowStartMs, WatermarkMs))
        {
            var (windowStartMs, keys) = _keysByWindow.First();
            foreach (var key in keys)
            {
                _windows.Remove(key, out var state);
                output.Rollups.Add(Row(key, state!, final: true, now));
                state!.Dirty = false; // the final row supersedes the provisional one
            }

            _keysByWindow.Remove(windowStartMs);
            keys.Clear();
            _spareKeys = keys; // a window's list grows to megabytes: reused, it is not allocated again for every window
            _earliestWindowStartMs = _keysByWindow.Count > 0 ? _keysByWindow.Keys.First() : NoWindow;
            _touched = true;
        }
    }

    /// <summary>Files a new rollup key under its window, for finalization.</summary>
    private void Track(RollupKey key)
    {
        if (!_keysByWindow.TryGetValue(key.WindowStartMs, out var keys))
        {
            _keysByWindow[key.WindowStartMs] = keys = _spareKeys ?? [];
            _spareKeys = null;
            _earliestWindowStartMs = Math.Min(_earliestWindowStartMs, key.WindowStartMs);
        }

        keys.Add(key);
    }

    /// <summary>
    /// A rollup row. Its version is (offset × 2 + final): replays of the same offsets write identical rows,
    /// and a window's final row supersedes every provisional row of it (schemas/clickhouse/0002).
    /// </summary>
    private RollupRow Row(RollupKey key, WindowState state, bool final, DateTimeOffset now)
    {
        var version = final ? ((ulong)Math.Max(state.LastOffset, NextOffset - 1) << 1) | 1 : (ulong)state.LastOffset << 1;
        return new RollupRow(key.Meter, key.Account, key.Team, key.Subject, key.GroupBy,
            DateTimeOffset.FromUnixTimeMilliseconds(key.WindowStartMs), DateTimeOffset.FromUnixTimeMilliseconds(_policy.EndOf(key.WindowStartMs)),
            (ushort)Partition, state.EventCount, state.ValueCount, state.Sum, state.Min, state.Max, state.Latest, state.LatestTimeMs,
            state.LastEventMs, state.UniqueValues.Count == 0 ? [] : [.. state.UniqueValues],
            final ? now : DateTimeOffset.UnixEpoch, version, now);
    }

    /// <summary>The meter's group-by values as a JSON object with its names in ordinal order.</summary>
    private string GroupByJson(MeterDefinition meter, JsonElement? data)
    {
        if (meter.GroupBy.Count == 0)
        {
            return "{}";
        }

        if (!_groupByOrder.TryGetValue(meter, out var ordered))
        {
            _groupByOrder[meter] = ordered = [.. meter.GroupBy.OrderBy(g => g.Key, StringComparer.Ordinal)];
        }

        // One buffer and writer per thread: every event of a meter with group-bys writes one.
        var buffer = _groupByBuffer ??= new ArrayBufferWriter<byte>(256);
        var writer = _groupByWriter ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        foreach (var (name, path) in ordered)
        {
            writer.WriteString(name, data is { } d ? path.SelectText(d) : "");
        }

        writer.WriteEndObject();
        writer.Flush();
        return _groupByStrings.Get(buffer.WrittenSpan) ?? Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
