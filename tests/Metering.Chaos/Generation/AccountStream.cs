using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Metering.Chaos.Oracle;

namespace Metering.Chaos.Generation;

/// <summary>
/// The events of one account, built one request at a time. Requests of an account are sent one after another, so the
/// account's order in its Kafka partition is the send order; that is what makes a late event deterministically late.
/// </summary>
internal sealed class AccountStream
{
    private const int RememberedEvents = 4_096;

    private static readonly string[] Sources = ["svc-a", "svc-b"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE"];
    private static readonly string[] Routes = ["/v1/things", "/v1/things/{id}", "/v1/search", "/v1/export", "/v1/login"];
    private static readonly string[] Models = ["m-small", "m-large", "m-code"];
    private static readonly string[] Products = ["editor", "viewer", "render", "sync"];

    /// <summary>A late event is at least this old: far behind any window that can still be open.</summary>
    private static readonly TimeSpan LateAge = TimeSpan.FromMinutes(10);

    /// <summary>Out-of-order events are at most this much older than now: with 2 minutes of lateness, always on time.</summary>
    private static readonly TimeSpan MaxDisorder = TimeSpan.FromSeconds(30);

    /// <summary>Slack on top of window end + lateness + out-of-orderness before a late event may follow an on-time one.</summary>
    private static readonly TimeSpan LateMargin = TimeSpan.FromSeconds(10);

    private readonly ChaosOptions _options;
    private readonly TeamDirectory _directory;
    private readonly Random _random;
    private readonly long[] _nextId = new long[Sources.Length];
    private readonly List<GeneratedEvent> _acknowledged = [];
    private long _maxAcknowledgedTimeMs = long.MinValue;

    public AccountStream(int index, ChaosOptions options, TeamDirectory directory)
    {
        Account = TeamDirectory.AccountName(index);
        _options = options;
        _directory = directory;
        _random = new Random(HashCode.Combine(options.Seed, index));
    }

    public string Account { get; }

    public ExpectedUsage Expected { get; } = new();

    public long Duplicates { get; private set; }

    public long Late { get; private set; }

    public long OutOfOrder { get; private set; }

    public int NextBatchSize() => _random.Next(_options.MinBatch, _options.MaxBatch + 1);

    /// <summary>Builds the next request: <paramref name="count"/> events, distinct ones and copies of earlier ones.</summary>
    public Batch Build(int count, long nowMs)
    {
        var fresh = new List<GeneratedEvent>(count);
        var payloads = new List<byte[]>(count);
        var duplicates = 0;
        for (var i = 0; i < count; i++)
        {
            var roll = _random.NextDouble();
            if (roll < _options.DuplicateShare && (fresh.Count > 0 || _acknowledged.Count > 0))
            {
                // Mostly a retry of an event acknowledged in an earlier request, sometimes a copy within this request.
                var sameRequest = _acknowledged.Count == 0 || (fresh.Count > 0 && _random.NextDouble() < 0.2);
                var original = sameRequest ? fresh[_random.Next(fresh.Count)] : _acknowledged[_random.Next(_acknowledged.Count)];
                payloads.Add(original.Json);
                duplicates++;
                continue;
            }

            roll -= _options.DuplicateShare;
            var timeMs = nowMs;
            var late = false;
            if (roll < _options.LateShare)
            {
                var lateTimeMs = nowMs - (long)LateAge.TotalMilliseconds - _random.NextInt64((long)TimeSpan.FromMinutes(5).TotalMilliseconds);
                var windowEndMs = (ExpectedUsage.WindowStartSeconds(lateTimeMs) * 1000) + (long)ChaosOptions.WindowSize.TotalMilliseconds;
                var finalAfterMs = windowEndMs + (long)(ChaosOptions.AllowedLateness + ChaosOptions.OutOfOrderness + LateMargin).TotalMilliseconds;
                if (_maxAcknowledgedTimeMs >= finalAfterMs)
                {
                    timeMs = lateTimeMs;
                    late = true;
                }
            }
            else if (roll - _options.LateShare < _options.OutOfOrderShare)
            {
                timeMs = nowMs - _random.NextInt64(1, (long)MaxDisorder.TotalMilliseconds + 1);
            }

            var generated = Generate(timeMs, late);
            fresh.Add(generated);
            payloads.Add(generated.Json);
        }

        return new Batch(Body(payloads), fresh, payloads.Count, duplicates, nowMs);
    }

    /// <summary>Records a request the gateway accepted in full: its distinct events now count.</summary>
    public void Acknowledge(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Duplicates += batch.Duplicates;
        foreach (var e in batch.Fresh)
        {
            Expected.Add(e);
            if (e.Late)
            {
                Late++;
                continue;
            }

            _maxAcknowledgedTimeMs = Math.Max(_maxAcknowledgedTimeMs, e.TimeMs);
            if (_acknowledged.Count < RememberedEvents)
            {
                _acknowledged.Add(e);
            }
            else
            {
                _acknowledged[_random.Next(RememberedEvents)] = e;
            }
        }

        OutOfOrder += batch.Fresh.Count(e => !e.Late && e.TimeMs < batch.NowMs);
    }

    private GeneratedEvent Generate(long timeMs, bool late)
    {
        var sourceIndex = _random.Next(Sources.Length);
        var source = Sources[sourceIndex];
        var id = "e-" + (++_nextId[sourceIndex]).ToString(CultureInfo.InvariantCulture);
        var subject = _random.NextDouble() < 0.05 ? "" : TeamDirectory.SubjectName(_random.Next(_options.SubjectsPerAccount));
        var team = _directory.TeamOf(Account, subject, timeMs);
        var kind = _random.NextDouble();
        var meter = kind switch
        {
            < 0.40 => ChaosMeter.ApiRequests,
            < 0.65 => ChaosMeter.Tokens,
            < 0.85 => ChaosMeter.SessionSeconds,
            _ => ChaosMeter.StorageGb,
        };

        var groupBy = new Dictionary<string, string>();
        long? value = null;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", id);
            json.WriteString("source", source);
            json.WriteString("type", meter.EventType);
            json.WriteString("account", Account);
            if (subject.Length > 0)
            {
                json.WriteString("subject", subject);
            }

            json.WriteString("time", Format.TimeMs(timeMs));
            json.WriteStartObject("data");
            if (meter == ChaosMeter.ApiRequests)
            {
                groupBy["method"] = Pick(Methods);
                // A few requests without a route: the group-by value is then empty.
                groupBy["route"] = _random.NextDouble() < 0.03 ? "" : Pick(Routes);
            }
            else if (meter == ChaosMeter.Tokens)
            {
                groupBy["model"] = Pick(Models);
                // A few token events without a value: they count as events, not as values.
                value = _random.NextDouble() < 0.02 ? null : _random.NextInt64(1, 5_001);
            }
            else if (meter == ChaosMeter.SessionSeconds)
            {
                groupBy["product"] = Pick(Products);
                value = _random.NextInt64(1, 3_601);
            }
            else
            {
                value = _random.NextInt64(1, 1_001);
            }

            foreach (var (name, text) in groupBy)
            {
                if (text.Length > 0)
                {
                    json.WriteString(name, text);
                }
            }

            if (value is { } v)
            {
                json.WriteNumber(meter.ValueProperty!, v);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var name in meter.GroupBy)
        {
            groupBy.TryAdd(name, "");
        }

        return new GeneratedEvent(buffer.WrittenSpan.ToArray(), Account, source, id, meter, subject, team, GroupByKey.Of(groupBy),
            timeMs, value.HasValue, value ?? 0, late);
    }

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private static byte[] Body(List<byte[]> payloads)
    {
        var body = new byte[payloads.Sum(p => p.Length + 1) + 1];
        var at = 0;
        body[at++] = (byte)'[';
        for (var i = 0; i < payloads.Count; i++)
        {
            if (i > 0)
            {
                body[at++] = (byte)',';
            }

            payloads[i].CopyTo(body, at);
            at += payloads[i].Length;
        }

        body[at++] = (byte)']';
        return body.AsSpan(0, at).ToArray();
    }

    /// <summary>One request: its body, the distinct events in it and how many copies of earlier events it carries.</summary>
    internal sealed record Batch(byte[] Body, IReadOnlyList<GeneratedEvent> Fresh, int Events, int Duplicates, long NowMs);
}
