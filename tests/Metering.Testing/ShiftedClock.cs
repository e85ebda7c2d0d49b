namespace Metering.Testing;

/// <summary>
/// The system clock moved by a settable offset: wall time for a process that must keep running (timers and
/// timestamps stay real), but "now" can be put on any date, e.g. to let event-time windows turn final.
/// </summary>
public sealed class ShiftedClock(DateTimeOffset now) : TimeProvider
{
    private long _offsetTicks = (now - System.GetUtcNow()).Ticks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Puts "now" on <paramref name="value"/>; the clock runs on from there.</summary>
    public void SetUtcNow(DateTimeOffset value) => Interlocked.Exchange(ref _offsetTicks, (value - System.GetUtcNow()).Ticks);
}
