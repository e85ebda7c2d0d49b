using System.Buffers;
using System.Text.Json;

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

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    /// <summary>Serializes <paramref name="usageEvent"/> as UTF-8 JSON.</summary>
    public static byte[] Serialize(UsageEvent usageEvent)
    {
        ArgumentNullException.ThrowIfNull(usageEvent);
        // One buffer and writer per thread: a gateway request serializes up to thousands of events.
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("specversion", "1.0");
        writer.WriteString("id", usageEvent.Id);
        writer.WriteString("source", usageEvent.Source);
        writer.WriteString("type", usageEvent.Type);
        writer.WriteString("time", usageEvent.Time.UtcDateTime);
        if (usageEvent.Subject is not null)
        {
            writer.WriteString("subject", usageEvent.Subject);
        }

        writer.WriteString("account", usageEvent.Account);
        writer.WriteString("ingestid", usageEvent.IngestId);
        writer.WriteString("ingesttime", usageEvent.IngestedAt.UtcDateTime);
        if (usageEvent.Data is not null)
        {
            writer.WritePropertyName("data");
            writer.WriteRawValue(usageEvent.Data, skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.Flush();

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a record value written by <see cref="Serialize"/>.</summary>
    /// <returns>The event, or null with <paramref name="reason"/> saying why the record is undecodable.</returns>
    public static UsageEvent? Deserialize(ReadOnlySpan<byte> value, out string? reason)
    {
        reason = null;
        try
        {
            using var document = JsonDocument.Parse(value.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "record: not a JSON object";
                return null;
            }

            string? Text(string name) =>
                root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

            var id = Text("id");
            var source = Text("source");
            var type = Text("type");
            var account = Text("account");
            var ingestId = Text("ingestid") ?? "";
            if (id is null || source is null || type is null || account is null)
            {
                reason = "record: id, source, type or account missing";
                return null;
            }

            if (Text("time") is not { } timeText || !CloudEventReader.TryParseRfc3339(timeText, out var eventTime))
            {
                reason = "record: time missing or not an RFC 3339 timestamp";
                return null;
            }

            var ingestedAt = Text("ingesttime") is { } stampText && CloudEventReader.TryParseRfc3339(stampText, out var stamped)
                ? stamped
                : eventTime;
            var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d.GetRawText() : null;
            return new UsageEvent(id, source, type, eventTime.ToUniversalTime(), Text("subject"), account, data, ingestId,
                ingestedAt.ToUniversalTime());
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
    }
}
