using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Metering.ClickHouse;

/// <summary>
/// Reads and writes a ClickHouse <c>DateTime</c> column as an instant in UTC. ClickHouse writes
/// <c>"yyyy-MM-dd HH:mm:ss"</c> (the server time zone, which is UTC for our servers) and System.Text.Json
/// does not read that format. Also reads ISO 8601 strings and Unix seconds; writes <c>"yyyy-MM-dd HH:mm:ss"</c>
/// in UTC, dropping the fraction of a second like the column does.
/// ClickHouse 18.16 writes the zero value (the Unix epoch) as <c>"0000-00-00 00:00:00"</c>; that reads as
/// <see cref="DateTimeOffset.UnixEpoch"/>.
/// Use it with <c>[JsonConverter(typeof(ClickHouseDateTimeConverter))]</c> on a <see cref="DateTimeOffset"/>.
/// </summary>
public sealed class ClickHouseDateTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd HH:mm:ss";
    private const string ZeroValue = "0000-00-00 00:00:00";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64());
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a ClickHouse DateTime string, got {reader.TokenType}.");
        }

        var text = reader.GetString()!;
        if (text == ZeroValue)
        {
            return DateTimeOffset.UnixEpoch;
        }

        if (DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var iso))
        {
            return iso;
        }

        throw new JsonException($"'{text}' is not a ClickHouse DateTime ({Format}, UTC).");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
