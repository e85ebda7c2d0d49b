namespace Metering.Query.Usage;

/// <summary>
/// The windows of a usage answer: [from, to) cut at the boundaries of <see cref="WindowSize"/> in the caller's time
/// zone (DESIGN.md §5.4: days and months start at local midnight, DST days have 23 or 25 hours), the first and last
/// clipped to the range. Without a window size, one window over the whole range.
/// </summary>
internal sealed class UsageWindows
{
    private readonly DateTimeOffset[] _boundaries;

    private UsageWindows(DateTimeOffset[] boundaries) => _boundaries = boundaries;

    public int Count => _boundaries.Length - 1;

    public DateTimeOffset From => _boundaries[0];

    public DateTimeOffset To => _boundaries[^1];

    public DateTimeOffset Start(int index) => _boundaries[index];

    public DateTimeOffset End(int index) => _boundaries[index + 1];

    /// <summary>The windows of [<paramref name="from"/>, <paramref name="to"/>); null when there would be more than <paramref name="maxWindows"/>.</summary>
    public static UsageWindows? Create(DateTimeOffset from, DateTimeOffset to, WindowSize? size, TimeZoneInfo zone, int maxWindows)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(from, to);
        var boundaries = new List<DateTimeOffset> { from };
        if (size is { } s)
        {
            for (var next = Next(from, s, zone); next < to; next = Next(next, s, zone))
            {
                if (boundaries.Count >= maxWindows)
                {
                    return null;
                }

                boundaries.Add(next);
            }
        }

        boundaries.Add(to);
        return new UsageWindows([.. boundaries]);
    }

    /// <summary>The window that holds <paramref name="time"/>, or -1 outside [from, to).</summary>
    public int IndexOf(DateTimeOffset time)
    {
        if (time < From || time >= To)
        {
            return -1;
        }

        var index = Array.BinarySearch(_boundaries, time);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>Whether every boundary is a boundary of base windows of <paramref name="baseSize"/> (UTC, from the epoch).</summary>
    public bool AlignedTo(TimeSpan baseSize) => _boundaries.All(b => b.UtcTicks % baseSize.Ticks == 0);

    /// <summary>The first boundary of <paramref name="size"/> in <paramref name="zone"/> after <paramref name="time"/>.</summary>
    private static DateTimeOffset Next(DateTimeOffset time, WindowSize size, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time, zone);
        switch (size)
        {
            case WindowSize.MINUTE:
            case WindowSize.HOUR:
                // Minutes and hours are counted on the instant's axis, so the repeated hour of a DST change is two windows.
                var unit = size == WindowSize.MINUTE ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1);
                var intoUnit = TimeSpan.FromTicks(local.DateTime.Ticks % unit.Ticks);
                return time - intoUnit + unit;
            case WindowSize.DAY:
                return StartOfLocal(local.Date.AddDays(1), zone);
            default:
                return StartOfLocal(new DateTime(local.Year, local.Month, 1).AddMonths(1), zone);
        }
    }

    /// <summary>
    /// The instant a local day or month starting at <paramref name="local"/> begins: where midnight is skipped by a DST
    /// change, the first local time that exists; where it occurs twice, the first of them.
    /// </summary>
    private static DateTimeOffset StartOfLocal(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}

/// <summary>The window sizes a usage query can ask for; days and months are sums of base windows.</summary>
internal enum WindowSize
{
    MINUTE,
    HOUR,
    DAY,
    MONTH,
}
