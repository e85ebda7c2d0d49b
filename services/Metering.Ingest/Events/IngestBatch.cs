using System.Text.Json;
using Metering.Events;
using Metering.Ingest.Producing;

namespace Metering.Ingest.Events;

/// <summary>
/// The events of one request body, read in one forward pass: each valid event stamped and encoded as its Kafka
/// record, each invalid one named with its reason (DESIGN.md §4). Nothing is produced here.
/// </summary>
internal sealed class IngestBatch
{
    private readonly int _maxEvents;
    private readonly DateTimeOffset _now;
    private readonly EventLimits _limits;
    private readonly byte[]? _scopedAccount;
    private readonly IngestIdGenerator _ingestIds;

    private IngestBatch(bool isArray, int maxEvents, DateTimeOffset now, EventLimits limits, byte[]? scopedAccount)
    {
        IsArray = isArray;
        _maxEvents = maxEvents;
        _now = now;
        _limits = limits;
        _scopedAccount = scopedAccount;
        _ingestIds = new IngestIdGenerator(now);
    }

    /// <summary>Whether the body is a JSON array of events rather than one event.</summary>
    public bool IsArray { get; }

    /// <summary>How many events the body holds; only the first <c>maxEvents</c> are read.</summary>
    public int Count { get; private set; }

    public List<EventRecord> Accepted { get; } = [];

    public List<Rejection> Rejected { get; } = [];

    /// <summary>Whether an event names an account other than the key's, when the key is scoped to one.</summary>
    public bool NamesOtherAccount { get; private set; }

    /// <summary>Reads a request body: one event, or a JSON array of events.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="maxEvents">How many events are read at most; the rest are only counted.</param>
    /// <param name="now">The ingest time: event times are checked against it, and accepted events stamped with it.</param>
    /// <param name="limits">The configurable acceptance rules.</param>
    /// <param name="scopedAccount">The UTF-8 account the key is scoped to, or null.</param>
    /// <exception cref="JsonException">The body is not valid JSON.</exception>
    public static IngestBatch Read(ReadOnlySpan<byte> body, int maxEvents, DateTimeOffset now, EventLimits limits, byte[]? scopedAccount)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        var batch = new IngestBatch(reader.TokenType == JsonTokenType.StartArray, maxEvents, now, limits, scopedAccount);
        if (!batch.IsArray)
        {
            batch.Add(body, ref reader);
        }
        else
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                batch.Add(body, ref reader);
            }
        }

        // Throws on anything but white space after the body's value.
        while (reader.Read())
        {
        }

        return batch;
    }

    /// <summary>Reads the event <paramref name="reader"/> is on, leaving the reader on its last token.</summary>
    private void Add(ReadOnlySpan<byte> body, scoped ref Utf8JsonReader reader)
    {
        var index = Count++;
        var start = (int)reader.TokenStartIndex;
        if (index >= _maxEvents)
        {
            reader.Skip();
            return;
        }

        var valid = CloudEventReader.TryReadValue(body, ref reader, _now, _limits, out var cloudEvent, out var reason, out var id);
        // A valid event's account is the string it names; only a rejected one needs its attributes read again.
        if (_scopedAccount is not null
            && (valid
                ? !cloudEvent.Account.SequenceEqual(_scopedAccount)
                : CloudEventReader.NamesOtherAccount(body[start..(int)reader.BytesConsumed], _scopedAccount)))
        {
            NamesOtherAccount = true;
        }

        if (valid)
        {
            Accepted.Add(new EventRecord(cloudEvent.Account.ToArray(), UsageEventCodec.Serialize(cloudEvent, _ingestIds.Next(), _now)));
        }
        else
        {
            Rejected.Add(new Rejection(index, id, reason!));
        }
    }
}
