namespace Metering.Query;

/// <summary>Instants as bounds on ClickHouse <c>DateTime</c> columns, which hold whole seconds.</summary>
internal static class WholeSeconds
{
    /// <summary>
    /// The first whole second at or after <paramref name="instant"/>, so <c>column &gt;= that second</c> is
    /// <c>column &gt;= instant</c> and <c>column &lt; that second</c> is <c>column &lt; instant</c>; the Unix epoch for
    /// anything before it (a <c>DateTime</c> holds nothing earlier).
    /// </summary>
    public static DateTimeOffset AtOrAfter(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks <= 0)
        {
            return DateTimeOffset.UnixEpoch;
        }

        var seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
