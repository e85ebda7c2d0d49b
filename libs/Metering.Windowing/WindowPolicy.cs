namespace Metering.Windowing;

/// <summary>
/// Tumbling event-time windows with a watermark and allowed lateness (DESIGN.md §5.4): a partition's
/// watermark is its largest event time minus <see cref="OutOfOrderness"/>; a window is final once the
/// watermark reaches its end plus <see cref="AllowedLateness"/>. All times are Unix milliseconds.
/// </summary>
public sealed record WindowPolicy
{
    public WindowPolicy(TimeSpan size, TimeSpan allowedLateness, TimeSpan outOfOrderness)
    {
        if (size <= TimeSpan.Zero || TimeSpan.FromDays(1).Ticks % size.Ticks != 0 || size.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A window size must be whole milliseconds and divide a day.");
        }


        ArgumentOutOfRangeException.ThrowIfLessThan(allowedLateness, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(outOfOrderness, TimeSpan.Zero);
        Size = size;
        AllowedLateness = allowedLateness;
        OutOfOrderness = outOfOrderness;
    }

    public TimeSpan Size { get; }

    public TimeSpan AllowedLateness { get; }

    public TimeSpan OutOfOrderness { get; }

    private long SizeMs => (long)Size.TotalMilliseconds;

    /// <summary>The start of the window that holds <paramref name="timeMs"/>.</summary>
    public long StartOf(long timeMs) => TumblingWindow.StartOf(DateTimeOffset.FromUnixTimeMilliseconds(timeMs), Size).ToUnixTimeMilliseconds();

    /// <summary>The end (exclusive) of the window that starts at <paramref name="windowStartMs"/>.</summary>
    public long EndOf(long windowStartMs) => windowStartMs + SizeMs;

    /// <summary>The watermark from which the window that starts at <paramref name="windowStartMs"/> is final.</summary>
    public long FinalAt(long windowStartMs) => windowStartMs + SizeMs + (long)AllowedLateness.TotalMilliseconds;

    /// <summary>Whether the window that starts at <paramref name="windowStartMs"/> is final under <paramref name="watermarkMs"/>.</summary>
    public bool IsFinal(long windowStartMs, long watermarkMs) => FinalAt(windowStartMs) <= watermarkMs;

    /// <summary>The watermark that an event at <paramref name="eventTimeMs"/> supports.</summary>
    public long WatermarkFor(long eventTimeMs) => eventTimeMs - (long)OutOfOrderness.TotalMilliseconds;

    /// <summary>The earliest window start that can still be open under <paramref name="watermarkMs"/>.</summary>
    public long EarliestOpenStart(long watermarkMs) =>
        watermarkMs == long.MinValue ? long.MinValue : StartOf(watermarkMs - (long)AllowedLateness.TotalMilliseconds) - SizeMs;
}
