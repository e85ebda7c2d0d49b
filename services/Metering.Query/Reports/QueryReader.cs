using Metering.Events;
using Microsoft.Extensions.Primitives;

namespace Metering.Query.Reports;

/// <summary>
/// Reads the query string of a report request so that every mistake gets a precise reason: unknown or repeated
/// parameters, malformed times, text that is too long or not printable. Every text that passes ends up in SQL only
/// through <see cref="Metering.ClickHouse.ClickHouseSql.Literal(string)"/>, but is checked here first so a bad value
/// answers 400 instead of reaching ClickHouse.
/// </summary>
internal sealed class QueryReader(IQueryCollection query)
{
    /// <summary>The longest text value accepted (ids, accounts, teams and subjects are at most this long when ingested).</summary>
    public const int MaxTextLength = 256;

    /// <summary>The most values one repeatable parameter may carry.</summary>
    public const int MaxValues = 1_000;

    /// <summary>The first problem found, in the form <c>name: reason</c>.</summary>
    public string? Error { get; private set; }

    /// <summary>Fails on a parameter that is neither in <paramref name="names"/> nor starts with one of <paramref name="prefixes"/>.</summary>
    public bool OnlyKnown(IReadOnlyCollection<string> names, params string[] prefixes)
    {
        foreach (var key in query.Keys)
        {
            if (!names.Contains(key) && !prefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                return Fail($"{Shown(key)}: unknown parameter; the parameters are {string.Join(", ", names.Concat(prefixes.Select(p => p + "…]")))}");
            }
        }

        return true;
    }

    /// <summary>The value of a parameter given at most once, or null when it is absent or empty.</summary>
    public string? Single(string name)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            Fail($"{name}: give it at most once");
            return null;
        }

        return values.ToString() is { Length: > 0 } text ? text : null;
    }

    /// <summary>An RFC 3339 time with an offset, or null when absent (or on error: check <see cref="Error"/>).</summary>
    public DateTimeOffset? Time(string name)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        if (!CloudEventReader.TryParseRfc3339(text, out var time))
        {
            Fail($"{name}: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)");
            return null;
        }

        return time.ToUniversalTime();
    }

    /// <summary>One of <paramref name="allowed"/> (exact spelling), or null when absent.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        if (!allowed.Contains(text, StringComparer.Ordinal))
        {
            Fail($"{name}: must be {Alternatives(allowed)}, not '{Shown(text)}'");
            return null;
        }

        return text;
    }

    /// <summary>The distinct non-empty values of a repeatable text parameter, each checked with <see cref="CheckText"/>.</summary>
    public IReadOnlyList<string> Texts(string name) => Texts(name, query[name]);

    /// <summary>The distinct values given for <paramref name="name"/>, each checked with <see cref="CheckText"/>.</summary>
    public IReadOnlyList<string> Texts(string name, StringValues values)
    {
        var texts = new List<string>();
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!CheckText(name, value))
            {
                return [];
            }

            if (!texts.Contains(value, StringComparer.Ordinal))
            {
                texts.Add(value);
            }
        }

        if (texts.Count > MaxValues)
        {
            Fail($"{name}: at most {MaxValues} values");
            return [];
        }

        return texts;
    }

    /// <summary>Whether <paramref name="value"/> is printable text of at most <see cref="MaxTextLength"/> characters.</summary>
    public bool CheckText(string name, string value)
    {
        if (value.Length > MaxTextLength)
        {
            return Fail($"{name}: longer than {MaxTextLength} characters");
        }

        return JsonText.IsPrintable(value) || Fail($"{name}: contains a control character or an unpaired surrogate");
    }

    /// <summary>Records <paramref name="error"/> unless an earlier one is there; always false.</summary>
    public bool Fail(string error)
    {
        Error ??= error;
        return false;
    }

    /// <summary>"A, B or C".</summary>
    public static string Alternatives(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[^1];

    /// <summary>A client's text as a reason may quote it: at most 64 characters, control characters as '?'.</summary>
    public static string Shown(string text)
    {
        var printable = new string([.. text.Take(64).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
        return text.Length > 64 ? printable + "…" : printable;
    }
}
