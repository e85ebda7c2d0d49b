namespace Metering.Windowing;

/// <summary>Tumbling event-time windows aligned to the Unix epoch in UTC (DESIGN.md §5.4).</summary>
public static class TumblingWindow
{
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
