using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Metering.Events;

/// <summary>
/// Reads one element of a request body as a <see cref="Utf8CloudEvent"/> or a precise rejection reason,
/// following DESIGN.md §4. Pure: the clock reading is passed in.
/// </summary>
public static class CloudEventReader
{
    private const string Rfc3339Format = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";
    private const string Empty = "must not be empty";
    private const string NotPrintable = "contains a control character or an unpaired surrogate";
    private static readonly string TooLong = $"longer than {EventLimits.MaxAttributeLength} characters";

    /// <summary>The names of <see cref="Name"/> in its order, after <see cref="Name.Other"/>.</summary>
    private static readonly string[] EscapableNames = ["specversion", "id", "source", "type", "account", "time", "subject", "data"];

    /// <summary>
    /// Reads and validates one CloudEvent in structured JSON mode, in one forward pass over its bytes. When an
    /// attribute occurs more than once, its last occurrence counts.
    /// </summary>
    /// <param name="utf8Json">One JSON value: an element of a request body that is valid JSON.</param>
    /// <param name="now">The clock reading that event times are checked against.</param>
    /// <param name="limits">The configurable acceptance rules.</param>
    /// <param name="cloudEvent">The event, pointing into <paramref name="utf8Json"/> where it can.</param>
    /// <param name="reason">Why the event was rejected, or null.</param>
    /// <param name="id">For a rejected event, its <c>id</c> if it has a readable one (truncated), to name it by.</param>
    /// <returns>Whether the event is valid.</returns>
    /// <exception cref="JsonException"><paramref name="utf8Json"/> is not valid JSON.</exception>
    public static bool TryRead(
        ReadOnlySpan<byte> utf8Json, DateTimeOffset now, EventLimits limits, out Utf8CloudEvent cloudEvent, out string? reason, out string? id)
    {
        var reader = new Utf8JsonReader(utf8Json);
        reader.Read();
        return TryReadValue(utf8Json, ref reader, now, limits, out cloudEvent, out reason, out id);
    }

    /// <summary>
    /// Reads and validates the value <paramref name="reader"/> is on, as <see cref="TryRead"/> does, without a pass
    /// of its own over the value: a request body's events are read as the body is.
    /// </summary>
    /// <param name="utf8Json">Everything <paramref name="reader"/> reads: the request body.</param>
    /// <param name="reader">On the first token of the value; left on its last.</param>
    /// <param name="now">The clock reading that event times are checked against.</param>
    /// <param name="limits">The configurable acceptance rules.</param>
    /// <param name="cloudEvent">The event, pointing into <paramref name="utf8Json"/> where it can.</param>
    /// <param name="reason">Why the event was rejected, or null.</param>
    /// <param name="id">For a rejected event, its <c>id</c> if it has a readable one (truncated), to name it by.</param>
    /// <returns>Whether the event is valid.</returns>
    /// <exception cref="JsonException">The value is not valid JSON.</exception>
    public static bool TryReadValue(
        ReadOnlySpan<byte> utf8Json, scoped ref Utf8JsonReader reader, DateTimeOffset now, EventLimits limits,
        out Utf8CloudEvent cloudEvent, out string? reason, out string? id)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var start = (int)reader.TokenStartIndex;
        var attributes = Attributes.Read(utf8Json, ref reader);
        reason = Validate(attributes, (int)reader.BytesConsumed - start, now, limits, out var time);
        if (reason is not null)
        {
            cloudEvent = default;
            id = ReadableId(attributes.Id);
            return false;
        }

        cloudEvent = new Utf8CloudEvent(
            attributes.Id.Text, attributes.Source.Text, attributes.Type.Text, time, attributes.Subject.Text, attributes.Account.Text, attributes.Data);
        id = null;
        return true;
    }

    /// <summary>Reads and validates one CloudEvent, as <see cref="TryRead"/> does, into a <see cref="UsageEvent"/>.</summary>
    /// <returns>The event stamped with <paramref name="ingestId"/> and <paramref name="now"/>, or null with <paramref name="reason"/>.</returns>
    public static UsageEvent? Read(JsonElement element, DateTimeOffset now, EventLimits limits, string ingestId, out string? reason)
    {
        if (!TryRead(JsonMarshal.GetRawUtf8Value(element), now, limits, out var e, out reason, out _))
        {
            return null;
        }

        return new UsageEvent(Encoding.UTF8.GetString(e.Id), Encoding.UTF8.GetString(e.Source), Encoding.UTF8.GetString(e.Type), e.Time,
            e.Subject.IsEmpty ? null : Encoding.UTF8.GetString(e.Subject), Encoding.UTF8.GetString(e.Account),
            e.Data.IsEmpty ? null : Encoding.UTF8.GetString(e.Data), ingestId, now);
    }

    /// <summary>
    /// Whether the event has an <c>account</c> attribute other than <paramref name="utf8Account"/> (not a string, or
    /// another string), for keys scoped to one account. An event without one is rejected by <see cref="TryRead"/> instead.
    /// </summary>
    /// <exception cref="JsonException"><paramref name="utf8Json"/> is not valid JSON.</exception>
    public static bool NamesOtherAccount(ReadOnlySpan<byte> utf8Json, ReadOnlySpan<byte> utf8Account)
    {
        var account = Attributes.Read(utf8Json).Account;
        return account.Kind != JsonTokenType.None && !(account.Kind == JsonTokenType.String && account.Text.SequenceEqual(utf8Account));
    }

    /// <summary>The event's <c>id</c> if it has a readable one, for naming it in a rejection.</summary>
    public static string? TryGetId(JsonElement element) => ReadableId(Attributes.Read(JsonMarshal.GetRawUtf8Value(element)).Id);

    /// <summary>RFC 3339: a full date, a time and an explicit offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    public static bool TryParseRfc3339(string text, out DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseRfc3339(text.AsSpan(), out time);
    }

    /// <summary>RFC 3339: a full date, a time and an explicit offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    public static bool TryParseRfc3339(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
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

    /// <summary>
    /// The common form of RFC 3339, <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c>, read straight from UTF-8: what
    /// <see cref="TryParseRfc3339(ReadOnlySpan{char}, out DateTimeOffset)"/> reads, in a fraction of its time. False
    /// for anything else, which that method then reads.
    /// </summary>
    private static bool TryParseUtcRfc3339(ReadOnlySpan<byte> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length < 20 || text[^1] != 'Z' || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !TryReadDigits(text[..4], out var year) || !TryReadDigits(text[5..7], out var month) || !TryReadDigits(text[8..10], out var day)
            || !TryReadDigits(text[11..13], out var hour) || !TryReadDigits(text[14..16], out var minute)
            || !TryReadDigits(text[17..19], out var second))
        {
            return false;
        }

        var fraction = 0;
        if (text.Length > 20)
        {
            // ".f" to ".fffffff": ticks are 100 ns.
            var digits = text[20..^1];
            if (text[19] != '.' || digits.Length is 0 or > 7 || !TryReadDigits(digits, out fraction))
            {
                return false;
            }

            for (var i = digits.Length; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction, TimeSpan.Zero);
        return true;
    }

    private static bool TryReadDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>The first rule of DESIGN.md §4 that the event breaks, in attribute order, or null.</summary>
    private static string? Validate(in Attributes a, int length, DateTimeOffset now, EventLimits limits, out DateTimeOffset time)
    {
        time = default;
        if (a.Kind != JsonTokenType.StartObject)
        {
            return $"event: must be a JSON object, not {Describe(a.Kind)}";
        }

        if (Required(a.SpecVersion, "specversion") is { } reason)
        {
            return reason;
        }

        if (!a.SpecVersion.Text.SequenceEqual("1.0"u8))
        {
            return "specversion: must be \"1.0\"";
        }

        reason = Required(a.Id, "id") ?? Required(a.Source, "source") ?? Required(a.Type, "type") ?? Required(a.Account, "account")
            ?? Required(a.Time, "time") ?? Optional(a.Subject, "subject");
        if (reason is not null)
        {
            return reason;
        }

        if (!TryParseUtcRfc3339(a.Time.Text, out time))
        {
            // A valid attribute is at most MaxAttributeLength UTF-16 code units long.
            Span<char> timeText = stackalloc char[EventLimits.MaxAttributeLength];
            if (!TryParseRfc3339(timeText[..Encoding.UTF8.GetChars(a.Time.Text, timeText)], out time))
            {
                return "time: not an RFC 3339 timestamp (e.g. 2026-11-01T12:00:00Z)";
            }
        }

        if (time > now + limits.MaxFutureSkew)
        {
            return $"time: more than {Minutes(limits.MaxFutureSkew)} in the future";
        }

        if (time < now - limits.MaxAge)
        {
            return $"time: older than the retention of open windows ({limits.MaxAge.TotalDays:0.##} days)";
        }

        if (a.DataKind == JsonTokenType.StartObject)
        {
            // The reader does not check the UTF-8 of strings; the aggregator decodes them.
            if (!Utf8.IsValid(a.Data))
            {
                return "data: not valid UTF-8";
            }
        }
        else if (a.DataKind is not (JsonTokenType.None or JsonTokenType.Null))
        {
            return $"data: must be a JSON object or null, not {Describe(a.DataKind)}";
        }

        // The broker refuses larger records, which would fail the whole request with a 503 that no retry cures.
        return length > EventLimits.MaxEventBytes ? $"event: larger than {EventLimits.MaxEventBytes} bytes" : null;
    }

    private static string? Required(in Attribute attribute, string name) =>
        attribute.Kind is JsonTokenType.None or JsonTokenType.Null ? $"{name}: required" : Check(attribute, name);

    private static string? Optional(in Attribute attribute, string name) =>
        attribute.Kind is JsonTokenType.None or JsonTokenType.Null ? null : Check(attribute, name);

    private static string? Check(in Attribute attribute, string name) =>
        attribute.Kind != JsonTokenType.String ? $"{name}: must be a string, not {Describe(attribute.Kind)}"
        : attribute.Problem is { } problem ? $"{name}: {problem}"
        : null;

    /// <summary>The text of a string <c>id</c> that decodes to printable text, however long; truncated for a rejection.</summary>
    private static string? ReadableId(in Attribute id)
    {
        if (id.Kind != JsonTokenType.String || id.Problem == NotPrintable)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(id.Text);
        return text.Length <= 64 ? text : text[..64] + "…";
    }

    private static string Describe(JsonTokenType kind) => JsonText.Describe(kind switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        _ => JsonValueKind.Null,
    });

    private static string Minutes(TimeSpan span) =>
        span.TotalMinutes == 1 ? "1 minute" : $"{span.TotalMinutes:0.##} minutes";

    /// <summary>The last occurrence of a string attribute: its JSON token (<c>None</c> when absent) and, for a string, its text.</summary>
    /// <param name="kind">The attribute value's token.</param>
    /// <param name="text">The unescaped UTF-8 text of a string that decodes; empty otherwise.</param>
    /// <param name="problem">What makes the string invalid, or null.</param>
    private readonly ref struct Attribute(JsonTokenType kind, ReadOnlySpan<byte> text, string? problem)
    {
        public JsonTokenType Kind { get; } = kind;

        public ReadOnlySpan<byte> Text { get; } = text;

        public string? Problem { get; } = problem;

        public static Attribute Read(scoped ref Utf8JsonReader reader)
        {
            var kind = reader.TokenType;
            if (kind != JsonTokenType.String)
            {
                reader.Skip();
                return new Attribute(kind, default, null);
            }

            // Printable ASCII as written: the text is the bytes, one character each. Everything else is decoded.
            var raw = reader.ValueSpan;
            if (!reader.ValueIsEscaped && raw.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0)
            {
                return new Attribute(kind, raw, raw.Length == 0 ? Empty : raw.Length > EventLimits.MaxAttributeLength ? TooLong : null);
            }

            string text;
            try
            {
                text = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // Invalid UTF-8, or an escaped unpaired surrogate ("\uD800").
                return new Attribute(kind, default, NotPrintable);
            }

            var problem = text.Length == 0 ? Empty
                : text.Length > EventLimits.MaxAttributeLength ? TooLong
                : !JsonText.IsPrintable(text) ? NotPrintable
                : null;
            return new Attribute(kind, reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(text) : raw, problem);
        }
    }

    /// <summary>The attributes of one event, as the last occurrence of each in one pass over the event's JSON.</summary>
    private ref struct Attributes
    {
        public JsonTokenType Kind;
        public Attribute SpecVersion;
        public Attribute Id;
        public Attribute Source;
        public Attribute Type;
        public Attribute Account;
        public Attribute Time;
        public Attribute Subject;
        public JsonTokenType DataKind;
        public ReadOnlySpan<byte> Data;

        public static Attributes Read(ReadOnlySpan<byte> utf8Json)
        {
            var reader = new Utf8JsonReader(utf8Json);
            reader.Read();
            return Read(utf8Json, ref reader);
        }

        /// <summary>The attributes of the value <paramref name="reader"/> is on, over <paramref name="utf8Json"/>; leaves it on the value's last token.</summary>
        public static Attributes Read(ReadOnlySpan<byte> utf8Json, scoped ref Utf8JsonReader reader)
        {
            var a = new Attributes { Kind = reader.TokenType };
            if (a.Kind != JsonTokenType.StartObject)
            {
                reader.Skip();
                return a;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = Identify(ref reader);
                reader.Read();
                switch (name)
                {
                    case Name.SpecVersion: a.SpecVersion = Attribute.Read(ref reader); break;
                    case Name.Id: a.Id = Attribute.Read(ref reader); break;
                    case Name.Source: a.Source = Attribute.Read(ref reader); break;
                    case Name.Type: a.Type = Attribute.Read(ref reader); break;
                    case Name.Account: a.Account = Attribute.Read(ref reader); break;
                    case Name.Time: a.Time = Attribute.Read(ref reader); break;
                    case Name.Subject: a.Subject = Attribute.Read(ref reader); break;
                    case Name.Data:
                        a.DataKind = reader.TokenType;
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        a.Data = a.DataKind == JsonTokenType.StartObject ? utf8Json[start..(int)reader.BytesConsumed] : default;
                        break;
                    default: reader.Skip(); break;
                }
            }

            return a;
        }

        private static Name Identify(ref Utf8JsonReader reader)
        {
            if (reader.ValueIsEscaped)
            {
                // Rare: "\u0069d" is "id" too.
                try
                {
                    for (var i = 0; i < EscapableNames.Length; i++)
                    {
                        if (reader.ValueTextEquals(EscapableNames[i]))
                        {
                            return (Name)(i + 1);
                        }
                    }
                }
                catch (InvalidOperationException)
                {
                    // not text: none of ours
                }

                return Name.Other;
            }

            var name = reader.ValueSpan;
            return name.Length switch
            {
                2 when name.SequenceEqual("id"u8) => Name.Id,
                4 when name.SequenceEqual("type"u8) => Name.Type,
                4 when name.SequenceEqual("time"u8) => Name.Time,
                4 when name.SequenceEqual("data"u8) => Name.Data,
                6 when name.SequenceEqual("source"u8) => Name.Source,
                7 when name.SequenceEqual("account"u8) => Name.Account,
                7 when name.SequenceEqual("subject"u8) => Name.Subject,
                11 when name.SequenceEqual("specversion"u8) => Name.SpecVersion,
                _ => Name.Other,
            };
        }
    }

    private enum Name
    {
        Other,
        SpecVersion,
        Id,
        Source,
        Type,
        Account,
        Time,
        Subject,
        Data,
    }
}
