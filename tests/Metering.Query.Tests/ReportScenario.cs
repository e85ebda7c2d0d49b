using Metering.Events;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// The usage the report tests share, written by the real aggregator with the meters of <c>meters.reports.json</c> (one
/// meter of every aggregation over the same events). Around the New York DST change of 2026-11-01 (a local day of 25
/// hours) and the Kolkata day boundary at 18:30 UTC, which falls inside an hourly base window:
/// <code>
///   id  time (UTC)           v  region subject account
///   e1  2026-11-01 03:30     1  eu     u-1     A        (Oct 31 in New York)
///   e2  2026-11-01 04:30     5  us     u-1     A
///   e5  2026-11-01 18:00     5  us     u-1     A        (Nov 1 in Kolkata)
///   e6  2026-11-01 18:45     5  us     u-1     A        (Nov 2 in Kolkata)
///   e3  2026-11-02 04:30     3  eu     u-2     A        (Nov 1 in New York; u-2 is in team render)
///   e4  2026-11-02 05:30     4  eu     u-1     A
///   b1  2026-11-01 10:00   100  eu     u-9     B
///   b2  2026-11-01 10:30     7  zü"ri  u-9     B        (a region that needs escaping in JSON)
/// </code>
/// plus a repeat of e1 (same source and id), which counts nowhere.
/// </summary>
internal static class ReportScenario
{
    public const string Type = "test.measure";
    public const string Team = "render";

    public static readonly string MetersPath = Path.Combine(RepositoryPaths.Root, "tests", "Metering.Query.Tests", "meters.reports.json");

    /// <summary>Where every window of the scenario is final (the lateness is the default 2 days).</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static UsageEvent[] Events(string a, string b) =>
    [
        Measure(a, "e1", "2026-11-01T03:30:00Z", 1, "eu", "u-1"),
        Measure(a, "e2", "2026-11-01T04:30:00Z", 5, "us", "u-1"),
        Measure(a, "e5", "2026-11-01T18:00:00Z", 5, "us", "u-1"),
        Measure(a, "e6", "2026-11-01T18:45:00Z", 5, "us", "u-1"),
        Measure(a, "e3", "2026-11-02T04:30:00Z", 3, "eu", "u-2"),
        Measure(a, "e4", "2026-11-02T05:30:00Z", 4, "eu", "u-1"),
        Measure(a, "e1", "2026-11-01T03:30:00Z", 1, "eu", "u-1"),
        Measure(b, "b1", "2026-11-01T10:00:00Z", 100, "eu", "u-9"),
        Measure(b, "b2", "2026-11-01T10:30:00Z", 7, EscapedRegion, "u-9"),
    ];

    /// <summary>A group-by value with a quote and non-ASCII letters.</summary>
    public const string EscapedRegion = "zü\"ri";

    /// <summary>A world at <paramref name="now"/> whose aggregator and query service both use the scenario's meters.</summary>
    public static Task<MeteredWorld> StartWorldAsync(DateTimeOffset now) =>
        MeteredWorld.StartAsync(now,
            new Dictionary<string, string?> { ["Meters"] = MetersPath },
            new Dictionary<string, string> { ["Meters"] = MetersPath });

    /// <summary>Writes the assignment of u-2 to <see cref="Team"/> and the scenario's events for accounts <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static async Task WriteAsync(MeteredWorld world, string a, string b)
    {
        await world.AssignAsync((a, "u-2", Team, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), null));
        await world.IngestAsync(Events(a, b));
    }

    public static UsageEvent Measure(string account, string id, string time, double v, string region, string subject) =>
        MeteredWorld.Event(account, id, DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), Type,
            $$"""{"v":{{v.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"region":{{System.Text.Json.JsonSerializer.Serialize(region)}}}""", subject);
}
