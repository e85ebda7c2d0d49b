using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Metering.Events;

/// <summary>
/// The Kafka record value of a <see cref="UsageEvent"/>: a CloudEvent in structured JSON mode with the
/// gateway's stamp as the extension attributes <c>ingestid</c> and <c>ingesttime</c>.
/// </summary>
public static class UsageEventCodec
{
    /// <summary>The value of the <c>schema-version</c> Kafka header this codec writes.</summary>
    public const string SchemaVersion = "1";

    /// <summary>The Kafka header that carries <see cref="SchemaVersion"/>.</summary>
    public const string SchemaVersionHeader = "schema-version";

    /// <summary>Printable ASCII but the quote and the backslash: the bytes JSON takes into a string as they are.</summary>
    private static readonly SearchValues<byte> PlainText = SearchValues.Create(
        [.. Enumerable.Range(' ', '~' - ' ' + 1).Where(c => c is not ('"' or '\\')).Select(c => (byte)c)]);

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    /// <summary>Serializes <paramref name="usageEvent"/> as UTF-8 JSON.</summary>
    public static byte[] Serialize(UsageEvent usageEvent)
    {
        ArgumentNullException.ThrowIfNull(usageEvent);
        var cloudEvent = new Utf8CloudEvent(
            Encoding.UTF8.GetBytes(usageEvent.Id), Encoding.UTF8.GetBytes(usageEvent.Source), Encoding.UTF8.GetBytes(usageEvent.Type),
            usageEvent.Time, Encoding.UTF8.GetBytes(usageEvent.Subject ?? ""), Encoding.UTF8.GetBytes(usageEvent.Account),
            Encoding.UTF8.GetBytes(usageEvent.Data ?? ""));
        return Serialize(cloudEvent, Encoding.UTF8.GetBytes(usageEvent.IngestId), usageEvent.IngestedAt);
    }

    /// <summary>Serializes <paramref name="cloudEvent"/> stamped with <paramref name="ingestId"/> and <paramref name="ingestedAt"/> as UTF-8 JSON.</summary>
    /// <remarks>The gateway's path: the request's bytes go into the record without being decoded.</remarks>
    public static byte[] Serialize(in Utf8CloudEvent cloudEvent, ReadOnlySpan<byte> ingestId, DateTimeOffset ingestedAt)
    {
        if (IsPlain(cloudEvent.Id) && IsPlain(cloudEvent.Source) && IsPlain(cloudEvent.Type) && IsPlain(cloudEvent.Subject)
            && IsPlain(cloudEvent.Account) && IsPlain(ingestId))
        {
            return SerializePlain(cloudEvent, ingestId, ingestedAt);
        }

        // One buffer and writer per thread, for the events with text that JSON escapes.
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("specversion"u8, "1.0"u8);
        writer.WriteString("id"u8, cloudEvent.Id);
        writer.WriteString("source"u8, cloudEvent.Source);
        writer.WriteString("type"u8, cloudEvent.Type);
        writer.WriteString("time"u8, cloudEvent.Time.UtcDateTime);
        if (!cloudEvent.Subject.IsEmpty)
        {
            writer.WriteString("subject"u8, cloudEvent.Subject);
        }

        writer.WriteString("account"u8, cloudEvent.Account);
        writer.WriteString("ingestid"u8, ingestId);
        writer.WriteString("ingesttime"u8, ingestedAt.UtcDateTime);
        if (!cloudEvent.Data.IsEmpty)
        {
            writer.WritePropertyName("data"u8);
            writer.WriteRawValue(cloudEvent.Data, skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.Flush();

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// What <see cref="Serialize(in Utf8CloudEvent, ReadOnlySpan{byte}, DateTimeOffset)"/> writes when no text needs
    /// escaping, which is nearly every event: the pieces copied one after the other, without the JSON writer's checks.
    /// </summary>
    private static byte[] SerializePlain(in Utf8CloudEvent cloudEvent, ReadOnlySpan<byte> ingestId, DateTimeOffset ingestedAt)
    {
        // The names, quotes and times take less than 256 bytes.
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var record = buffer.GetSpan(256 + cloudEvent.Id.Length + cloudEvent.Source.Length + cloudEvent.Type.Length
            + cloudEvent.Subject.Length + cloudEvent.Account.Length + ingestId.Length + cloudEvent.Data.Length);
        var length = 0;
        Put(record, ref length, "{\"specversion\":\"1.0\",\"id\":\""u8);
        Put(record, ref length, cloudEvent.Id);
        Put(record, ref length, "\",\"source\":\""u8);
        Put(record, ref length, cloudEvent.Source);
        Put(record, ref length, "\",\"type\":\""u8);
        Put(record, ref length, cloudEvent.Type);
        Put(record, ref length, "\",\"time\":\""u8);
        length += FormatTime(cloudEvent.Time, record[length..]);
        if (!cloudEvent.Subject.IsEmpty)
        {
            Put(record, ref length, "\",\"subject\":\""u8);
            Put(record, ref length, cloudEvent.Subject);
        }

        Put(record, ref length, "\",\"account\":\""u8);
        Put(record, ref length, cloudEvent.Account);
        Put(record, ref length, "\",\"ingestid\":\""u8);
        Put(record, ref length, ingestId);
        Put(record, ref length, "\",\"ingesttime\":\""u8);
        length += FormatTime(ingestedAt, record[length..]);
        Put(record, ref length, "\""u8);
        if (!cloudEvent.Data.IsEmpty)
        {
            Put(record, ref length, ",\"data\":"u8);
            Put(record, ref length, cloudEvent.Data);
        }

        Put(record, ref length, "}"u8);
        return record[..length].ToArray();

        static void Put(Span<byte> record, ref int length, ReadOnlySpan<byte> piece)
        {
            piece.CopyTo(record[length..]);
            length += piece.Length;
        }
    }

    /// <summary>Whether <paramref name="text"/> goes into a JSON string as it is: printable ASCII without a quote or backslash.</summary>
    private static bool IsPlain(ReadOnlySpan<byte> text) => !text.ContainsAnyExcept(PlainText);

    /// <summary>
    /// An instant in UTC as the JSON writer writes a <see cref="DateTime"/>: ISO 8601 with the fraction of a second
    /// to its last non-zero digit, none when it is zero (<c>2026-11-01T11:00:00.25Z</c>, <c>2026-11-01T11:00:00Z</c>).
    /// </summary>
    private static int FormatTime(DateTimeOffset time, Span<byte> destination)
    {
        // "O" of a UTC DateTime: yyyy-MM-ddTHH:mm:ss.fffffffZ.
        time.UtcDateTime.TryFormat(destination, out var length, "O", CultureInfo.InvariantCulture);
        var end = length - 1;
        while (destination[end - 1] == (byte)'0')
        {
            end--;
        }

        if (destination[end - 1] == (byte)'.')
        {
            end--;
        }

        destination[end] = (byte)'Z';
        return end + 1;
    }

    /// <summary>Reads a record value written by <see cref="Serialize(UsageEvent)"/>.</summary>
    /// <returns>The event, or null with <paramref name="reason"/> saying why the record is undecodable.</returns>
    /// <remarks>One forward pass of a <see cref="Utf8JsonReader"/>: the aggregator decodes every record.</remarks>
    public static UsageEvent? Deserialize(ReadOnlySpan<byte> value, out string? reason) => Deserialize(value, null, out reason);

    /// <summary>
    /// Reads a record value written by <see cref="Serialize(UsageEvent)"/>, taking its account, subject, source and type
    /// from <paramref name="strings"/> when they are there.
    /// </summary>
    /// <returns>The event, or null with <paramref name="reason"/> saying why the record is undecodable.</returns>
    public static UsageEvent? Deserialize(ReadOnlySpan<byte> value, Utf8StringCache? strings, out string? reason) =>
        Read(value, strings, decodeData: true, out _, out reason);

    /// <summary>
    /// Reads a record value as <see cref="Deserialize(ReadOnlySpan{byte}, Utf8StringCache?, out string?)"/> does, but
    /// leaves the <c>data</c> object as UTF-8: <see cref="UsageEvent.Data"/> is null and <paramref name="data"/> is the
    /// object's JSON, a slice of <paramref name="value"/> (empty when there is none). For the aggregator, which parses
    /// the data and stores it as UTF-8: as a string it would be converted twice and allocated for every record.
    /// </summary>
    public static UsageEvent? DeserializeKeepingData(
        ReadOnlyMemory<byte> value, Utf8StringCache? strings, out ReadOnlyMemory<byte> data, out string? reason)
    {
        var usageEvent = Read(value.Span, strings, decodeData: false, out var range, out reason);
        data = usageEvent is null ? default : value[range];
        if (!Utf8.IsValid(data.Span))
        {
            data = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data.Span)); // as the string would be: U+FFFD for what is not UTF-8
        }

        return usageEvent;
    }

    private static UsageEvent? Read(
        ReadOnlySpan<byte> value, Utf8StringCache? strings, bool decodeData, out Range dataRange, out string? reason)
    {
        reason = null;
        dataRange = default;
        string? id = null, source = null, type = null, account = null, subject = null, ingestId = null, data = null;
        DateTimeOffset? time = null, ingestedAt = null;
        try
        {
            var reader = new Utf8JsonReader(value, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip(); // invalid JSON is reported as such
                while (reader.Read())
                {
                }

                reason = "record: not a JSON object";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                var escaped = reader.ValueIsEscaped;
                reader.Read();
                if (escaped)
                {
                    reader.Skip(); // none of ours is written escaped
                    continue;
                }

                if (name.SequenceEqual("data"u8))
                {
                    var start = (int)reader.TokenStartIndex;
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    dataRange = isObject ? start..(int)reader.BytesConsumed : default;
                    data = isObject && decodeData ? Encoding.UTF8.GetString(value[dataRange]) : null;
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    continue;
                }

                if (name.SequenceEqual("id"u8)) id = reader.GetString();
                else if (name.SequenceEqual("source"u8)) source = Repeated(ref reader, strings);
                else if (name.SequenceEqual("type"u8)) type = Repeated(ref reader, strings);
                else if (name.SequenceEqual("account"u8)) account = Repeated(ref reader, strings);
                else if (name.SequenceEqual("subject"u8)) subject = Repeated(ref reader, strings);
                else if (name.SequenceEqual("time"u8)) time = ReadTime(ref reader);
                else if (name.SequenceEqual("ingestid"u8)) ingestId = reader.GetString();
                else if (name.SequenceEqual("ingesttime"u8)) ingestedAt = ReadTime(ref reader);
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                reason = "record: not valid JSON (content after the event object)";
                return null;
            }
        }
        catch (JsonException ex)
        {
            reason = $"record: not valid JSON ({ex.Message})";
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // Strings that are not text: invalid UTF-8, or an escaped unpaired surrogate.
            reason = $"record: undecodable string ({ex.Message})";
            return null;
        }

        if (id is null || source is null || type is null || account is null)
        {
            reason = "record: id, source, type or account missing";
            return null;
        }

        if (time is not { } eventTime)
        {
            reason = "record: time missing or not an RFC 3339 timestamp";
            return null;
        }

        return new UsageEvent(id, source, type, eventTime.ToUniversalTime(), subject, account, data, ingestId ?? "",
            (ingestedAt ?? eventTime).ToUniversalTime());
    }

    /// <summary>A string value that repeats across events: from <paramref name="strings"/> when it holds it.</summary>
    private static string Repeated(ref Utf8JsonReader reader, Utf8StringCache? strings) =>
        (strings is not null && !reader.ValueIsEscaped ? strings.Get(reader.ValueSpan) : null) ?? reader.GetString()!;

    /// <summary>
    /// A timestamp as <see cref="Serialize(UsageEvent)"/> writes it (ISO 8601, read without a string), else any RFC 3339
    /// text; null when it is neither.
    /// </summary>
    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader)
    {
        if (reader.TryGetDateTimeOffset(out var time) && reader.ValueSpan.Length >= 20 && reader.ValueSpan[^1] is (byte)'Z' or (byte)'z')
        {
            return time;
        }

        return CloudEventReader.TryParseRfc3339(reader.GetString()!, out time) ? time : null;
    }
}
