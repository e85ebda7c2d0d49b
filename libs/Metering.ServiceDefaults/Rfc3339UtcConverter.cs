using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Metering.ServiceDefaults;

/// <summary>
/// Writes instants the way API.md promises, RFC 3339 in UTC with a <c>Z</c>
/// (<c>2026-11-01T00:00:00Z</c>, milliseconds only when there are any); reads any RFC 3339 offset.
/// </summary>
public sealed class Rfc3339UtcConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }

    /// <summary><paramref name="value"/> as the JSON answers write it, for other formats of the same answer (CSV).</summary>
    public static string Format(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return utc.ToString(utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
