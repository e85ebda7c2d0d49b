using Metering.Events;
using Metering.Events.Meters;

namespace Metering.Query.Usage;

/// <summary>The validated parameters of a usage query.</summary>
internal sealed record UsageRequest(
    MeterDefinition Meter,
    DateTimeOffset? From,
    DateTimeOffset? To,
    WindowSize? WindowSize,
    IReadOnlyList<string> Accounts,
    IReadOnlyList<string> Teams,
    IReadOnlyList<string> Subjects,
    IReadOnlyDictionary<string, string[]> GroupByFilters,
    IReadOnlyList<string> GroupBy,
    bool FinalOnly)
{
    /// <summary>The most windows one answer may hold; a larger range needs a larger window size.</summary>
    public const int MaxWindows = 50_000;

    /// <summary>Parses the query string; returns null with <paramref name="error"/> on the first problem.</summary>
    public static UsageRequest? Parse(MeterDefinition meter, IQueryCollection query, out string? error)
    {
        error = null;
        DateTimeOffset? from = null, to = null;
        if (query["from"].ToString() is { Length: > 0 } fromText)
        {
            if (!CloudEventReader.TryParseRfc3339(fromText, out var parsed))
            {
                error = "from: not an RFC 3339 timestamp (e.g. 2026-11-01T00:00:00Z)";
                return null;
            }

            from = parsed;
        }

        if (query["to"].ToString() is { Length: > 0 } toText)
        {
            if (!CloudEventReader.TryParseRfc3339(toText, out var parsed))
            {
                error = "to: not an RFC 3339 timestamp (e.g. 2026-12-01T00:00:00Z)";
                return null;
            }

            to = parsed;
        }

        if (from >= to)
        {
            error = "from: must be before to";
            return null;
        }

        WindowSize? windowSize = null;
        if (query["windowSize"].ToString() is { Length: > 0 } sizeText)
        {
            WindowSize? size = sizeText switch
            {
                "MINUTE" => Usage.WindowSize.MINUTE,
                "HOUR" => Usage.WindowSize.HOUR,
                "DAY" => Usage.WindowSize.DAY,
                "MONTH" => Usage.WindowSize.MONTH,
                _ => null,
            };
            if (size is null)
            {
                error = "windowSize: must be MINUTE, HOUR, DAY or MONTH";
                return null;
            }

            windowSize = size;
            if (from is { } f && to is { } t && size != Usage.WindowSize.MONTH
                && (t - f).Ticks / SpanOf(size.Value).Ticks > MaxWindows)
            {
                error = $"windowSize: the range holds more than {MaxWindows} {sizeText} windows; use a larger window size or a shorter range";
                return null;
            }
        }

        var zone = query["windowTimeZone"].ToString();
        if (zone.Length > 0 && zone != "UTC" && zone != "Etc/UTC")
        {
            error = "windowTimeZone: only UTC is supported by this version of the query service";
            return null;
        }

        var groupBy = query["groupBy"].Where(g => g is not null).Select(g => g!).ToList();
        foreach (var name in groupBy)
        {
            if (!MeterCatalog.ReservedDimensions.Contains(name) && !meter.GroupBy.ContainsKey(name))
            {
                error = $"groupBy: '{Truncate(name)}' is not account, team, subject or a group-by of meter {meter.Name} "
                    + $"({string.Join(", ", meter.GroupBy.Keys.DefaultIfEmpty("none"))})";
                return null;
            }
        }

        var groupByFilters = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith("filterGroupBy[", StringComparison.Ordinal) && key.EndsWith(']'))
            {
                var name = key["filterGroupBy[".Length..^1];
                if (!meter.GroupBy.ContainsKey(name))
                {
                    error = $"filterGroupBy: '{Truncate(name)}' is not a group-by of meter {meter.Name}";
                    return null;
                }

                groupByFilters[name] = [.. values.Select(v => v ?? "")];
            }
        }

        var status = query["status"].ToString();
        if (status is not ("" or "any" or "final"))
        {
            error = "status: must be any or final";
            return null;
        }

        return new UsageRequest(meter, from, to, windowSize, Values(query, "account"), Values(query, "team"),
            Values(query, "subject"), groupByFilters, groupBy.Distinct().ToList(), status == "final");
    }

    public static TimeSpan SpanOf(WindowSize size) => size switch
    {
        Usage.WindowSize.MINUTE => TimeSpan.FromMinutes(1),
        Usage.WindowSize.HOUR => TimeSpan.FromHours(1),
        Usage.WindowSize.DAY => TimeSpan.FromDays(1),
        _ => TimeSpan.FromDays(31),
    };

    private static List<string> Values(IQueryCollection query, string name) =>
        query[name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).Distinct().ToList();

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}

/// <summary>The window sizes a usage query can ask for; days and months are sums of base windows.</summary>
internal enum WindowSize
{
    MINUTE,
    HOUR,
    DAY,
    MONTH,
}
