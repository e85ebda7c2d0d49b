using Metering.Events.Meters;
using Metering.Query.Reports;

namespace Metering.Query.Usage;

/// <summary>The validated parameters of a usage query (API.md, <c>GET /v1/meters/{meter}/usage</c>).</summary>
internal sealed record UsageRequest(
    MeterDefinition Meter,
    DateTimeOffset? From,
    DateTimeOffset? To,
    WindowSize? WindowSize,
    TimeZoneInfo TimeZone,
    IReadOnlyList<string> Accounts,
    IReadOnlyList<string> Teams,
    IReadOnlyList<string> Subjects,
    IReadOnlyDictionary<string, IReadOnlyList<string>> GroupByFilters,
    IReadOnlyList<string> GroupBy,
    bool FinalOnly,
    bool Csv)
{
    /// <summary>The most windows one answer may hold; a larger range needs a larger window size.</summary>
    public const int MaxWindows = 50_000;

    private const string FilterGroupByPrefix = "filterGroupBy[";

    private static readonly string[] Parameters =
        ["from", "to", "windowSize", "windowTimeZone", "account", "team", "subject", "groupBy", "status", "format"];

    /// <summary>Parses the query string; returns null with <paramref name="error"/> on the first problem.</summary>
    public static UsageRequest? Parse(MeterDefinition meter, IQueryCollection query, bool acceptsCsv, out string? error)
    {
        var q = new QueryReader(query);
        q.OnlyKnown(Parameters, FilterGroupByPrefix);
        var from = q.Time("from");
        var to = q.Time("to");
        if (from >= to)
        {
            q.Fail("from: must be before to");
        }

        var sizeText = q.OneOf("windowSize", Enum.GetNames<WindowSize>());
        WindowSize? windowSize = sizeText is null ? null : Enum.Parse<WindowSize>(sizeText);
        var zone = ParseTimeZone(q);
        var groupBy = new List<string>();
        foreach (var name in query["groupBy"])
        {
            if (string.IsNullOrEmpty(name) || groupBy.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            if (!MeterCatalog.ReservedDimensions.Contains(name) && !meter.GroupBy.ContainsKey(name))
            {
                q.Fail($"groupBy: '{QueryReader.Shown(name)}' is not account, team, subject or a group-by of meter {meter.Name} "
                    + $"({string.Join(", ", meter.GroupBy.Keys.Order(StringComparer.Ordinal).DefaultIfEmpty("it has none"))})");
                break;
            }

            groupBy.Add(name);
        }

        var groupByFilters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (!key.StartsWith(FilterGroupByPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = key.EndsWith(']') ? key[FilterGroupByPrefix.Length..^1] : null;
            if (name is null || !meter.GroupBy.ContainsKey(name))
            {
                q.Fail($"{QueryReader.Shown(key)}: '{QueryReader.Shown(name ?? key)}' is not a group-by of meter {meter.Name}; "
                    + "write filterGroupBy[<name>]=<value>");
                break;
            }

            // An empty value filters for events without that property (the aggregator stores "" for them).
            var texts = values.Any(v => v == "") ? [.. q.Texts(key, values), ""] : q.Texts(key, values);
            groupByFilters[name] = texts;
        }

        var status = q.OneOf("status", "any", "final");
        var format = q.OneOf("format", "json", "csv");
        var request = new UsageRequest(meter, from, to, windowSize, zone ?? TimeZoneInfo.Utc, q.Texts("account"), q.Texts("team"),
            q.Texts("subject"), groupByFilters, groupBy, status == "final", format == "csv" || (format is null && acceptsCsv));
        if (q.Error is null && from is { } f && to is { } t && windowSize is { } size
            && UsageWindows.Create(f, t, size, request.TimeZone, MaxWindows) is null)
        {
            q.Fail(TooManyWindows(size));
        }

        error = q.Error;
        return error is null ? request : null;
    }

    /// <summary>The reason for a range that holds more than <see cref="MaxWindows"/> windows of <paramref name="size"/>.</summary>
    public static string TooManyWindows(WindowSize size) =>
        $"windowSize: the range holds more than {MaxWindows} {size} windows; use a larger window size or a shorter range";

    /// <summary>The IANA time zone of <c>windowTimeZone</c> (default UTC).</summary>
    private static TimeZoneInfo? ParseTimeZone(QueryReader q)
    {
        if (q.Single("windowTimeZone") is not { } name)
        {
            return null;
        }

        // Only the characters of IANA names, so the name can be passed to ClickHouse's time zone functions as well.
        if (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+')
            || !TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) || !zone.HasIanaId)
        {
            q.Fail($"windowTimeZone: '{QueryReader.Shown(name)}' is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)");
            return null;
        }

        return zone;
    }
}
