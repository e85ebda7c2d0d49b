using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Metering.Events;

/// <summary>
/// Turns one element of a request body into a <see cref="UsageEvent"/> or a precise rejection reason,
/// following DESIGN.md §4. Pure: the clock reading and the ingest stamp are passed in.
/// </summary>
public static class CloudEventReader
{
    private const string Rfc3339Format = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";

    /// <summary>Reads and validates one CloudEvent in structured JSON mode.</summary>
    /// <returns>The event, or null with <paramref name="reason"/> saying why it was rejected.</returns>
    public static UsageEvent? Read(
        JsonElement element, DateTimeOffset now, EventLimits limits, string ingestId, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(limits);
        reason = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            reason = $"event: must be a JSON object, not {JsonText.Describe(element.ValueKind)}";
            return null;
        }

        if (!TryRequiredString(element, "specversion", out var specVersion, ref reason)) return null;
        if (specVersion != "1.0")
        {
            reason = "specversion: must be \"1.0\"";
            return null;
        }

        if (!TryRequiredString(element, "id", out var id, ref reason)
            || !TryRequiredString(element, "source", out var source, ref reason)
            || !TryRequiredString(element, "type", out var type, ref reason)
            || !TryRequiredString(element, "account", out var account, ref reason)
            || !TryRequiredString(element, "time", out var timeText, ref reason)
            || !TryOptionalString(element, "subject", out var subject, ref reason))
        {
            return null;
        }

        if (!TryParseRfc3339(timeText, out var time))
        {
            reason = "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)";
            return null;
        }

        if (time > now + limits.MaxFutureSkew)
        {
            reason = $"time: more than {Minutes(limits.MaxFutureSkew)} in the future";
            return null;
        }

        if (time < now - limits.MaxAge)
        {
            reason = $"time: older than the retention of open windows ({limits.MaxAge.TotalDays:0.##} days)";
            return null;
        }

        string? data = null;
        if (element.TryGetProperty("data", out var dataElement))
        {
            if (dataElement.ValueKind == JsonValueKind.Object)
            {
                try
                {
                    data = dataElement.GetRawText();
                }
                catch (InvalidOperationException)
                {
                    // JsonDocument does not check the UTF-8 of strings; transcoding them does.
                    reason = "data: not valid UTF-8";
                    return null;
                }
            }
            else if (dataElement.ValueKind != JsonValueKind.Null)
            {
                reason = $"data: must be a JSON object or null, not {JsonText.Describe(dataElement.ValueKind)}";
                return null;
            }
        }

        // The broker refuses larger records, which would fail the whole request with a 503 that no retry cures.
        if (JsonMarshal.GetRawUtf8Value(element).Length > EventLimits.MaxEventBytes)
        {
            reason = $"event: larger than {EventLimits.MaxEventBytes} bytes";
            return null;
        }

        return new UsageEvent(id, source, type, time, subject, account, data, ingestId, now);
    }

    /// <summary>The event's <c>id</c> if it has a readable one, for naming it in a rejection.</summary>
    public static string? TryGetId(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("id", out var id)
        && id.ValueKind == JsonValueKind.String
        && TryGetText(id, out var text)
        && JsonText.IsPrintable(text)
            ? Truncate(text)
            : null;

    /// <summary>
    /// A JSON string's text; false for an escaped unpaired surrogate (<c>"\uD800"</c>), which
    /// <see cref="JsonElement.GetString"/> refuses to decode.
    /// </summary>
    private static bool TryGetText(JsonElement property, out string text)
    {
        try
        {
            text = property.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>RFC 3339: a full date, a time and an explicit offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    public static bool TryParseRfc3339(string text, out DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(text);
        time = default;
        // The shape check keeps out what DateTimeOffset.TryParse would also accept: local times,
        // dates without a time, other calendars' formats.
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't')
            || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length >= 25 && text[^3] == ':' && text[^6] is '+' or '-');
        // The exact format is the common case and several times cheaper than the general parser,
        // which remains for what it does not cover (lower-case t/z, more than 7 fraction digits).
        return hasOffset
            && (DateTimeOffset.TryParseExact(text, Rfc3339Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time)
                || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time));
    }

    private static bool TryRequiredString(JsonElement element, string name, out string value, ref string? reason)
    {
        value = "";
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            reason = $"{name}: required";
            return false;
        }

        return TryCheckString(property, name, out value, ref reason);
    }

    private static bool TryOptionalString(JsonElement element, string name, out string? value, ref string? reason)
    {
        value = null;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        var ok = TryCheckString(property, name, out var text, ref reason);
        value = text;
        return ok;
    }

    private static bool TryCheckString(JsonElement property, string name, out string value, ref string? reason)
    {
        value = "";
        if (property.ValueKind != JsonValueKind.String)
        {
            reason = $"{name}: must be a string, not {JsonText.Describe(property.ValueKind)}";
            return false;
        }

        if (!TryGetText(property, out value))
        {
            reason = $"{name}: contains a control character or an unpaired surrogate";
            return false;
        }

        if (value.Length == 0)
        {
            reason = $"{name}: must not be empty";
            return false;
        }

        if (value.Length > EventLimits.MaxAttributeLength)
        {
            reason = $"{name}: longer than {EventLimits.MaxAttributeLength} characters";
            return false;
        }

        if (!JsonText.IsPrintable(value))
        {
            reason = $"{name}: contains a control character or an unpaired surrogate";
            return false;
        }

        return true;
    }

    private static string Minutes(TimeSpan span) =>
        span.TotalMinutes == 1 ? "1 minute" : $"{span.TotalMinutes:0.##} minutes";

    private static string Truncate(string id) => id.Length <= 64 ? id : id[..64] + "…";
}
