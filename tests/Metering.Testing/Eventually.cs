namespace Metering.Testing;

/// <summary>Waits for a condition in a real system with a deadline, never a fixed sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="probe"/> until it returns a value that <paramref name="until"/> accepts,
    /// and returns that value; fails the test with the last value seen when <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task<T> WaitAsync<T>(
        Func<Task<T>> probe, Func<T, bool> until, TimeSpan timeout, string because, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(until);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        T last;
        Exception? lastError = null;
        while (true)
        {
            last = default!;
            try
            {
                last = await probe();
                if (until(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                lastError = ex;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                Assert.Fail($"Not within {timeout}: {because}. Last value: {last}. Last error: {lastError?.Message ?? "none"}");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, CancellationToken cancellationToken = default) =>
        WaitAsync(condition, ok => ok, timeout, because, cancellationToken);
}
