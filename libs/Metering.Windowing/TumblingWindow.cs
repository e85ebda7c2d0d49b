namespace Metering.Windowing;

/// <summary>Tumbling event-time windows aligned to the Unix epoch in UTC (DESIGN.md §5.4).</summary>
public static class TumblingWindow
{
    /// <summary>
    /// Null when <paramref name="size"/> can be a window size (positive, whole milliseconds, dividing a day), otherwise
    /// the reason, naming the setting <paramref name="setting"/>; for the options validators of every service.
    /// </summary>
    public static string? SizeError(TimeSpan size, string setting) =>
        size > TimeSpan.Zero && TimeSpan.FromDays(1).Ticks % size.Ticks == 0 && size.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? null
            : $"{setting} {size} must divide a day (e.g. 00:01:00, 00:05:00, 00:15:00, 01:00:00).";

    /// <summary>The start of the window of <paramref name="size"/> that holds <paramref name="time"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset time, TimeSpan size)
    {
        if (size <= TimeSpan.Zero || TimeSpan.FromDays(1).Ticks % size.Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A window size must be positive and divide a day.");
        }

        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - ticks % size.Ticks, TimeSpan.Zero);
    }
}
