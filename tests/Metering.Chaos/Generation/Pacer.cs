namespace Metering.Chaos.Generation;

/// <summary>Hands out the run's events in batches at a steady rate across all accounts.</summary>
internal sealed class Pacer(long total, int eventsPerSecond, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly long _started = clock.GetTimestamp();
    private long _reserved;

    /// <summary>Waits until the next <paramref name="wanted"/> events are due; returns how many to send, 0 when all were handed out.</summary>
    public async Task<int> TakeAsync(int wanted, CancellationToken cancellationToken)
    {
        long before;
        int granted;
        lock (_gate)
        {
            before = _reserved;
            granted = (int)Math.Min(wanted, total - before);
            if (granted <= 0)
            {
                return 0;
            }

            _reserved += granted;
        }

        var due = TimeSpan.FromSeconds((double)before / eventsPerSecond);
        var wait = due - clock.GetElapsedTime(_started);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }

        return granted;
    }
}
