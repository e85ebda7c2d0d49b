namespace Metering.Query;

/// <summary>
/// The versions of the ReplacingMergeTree rows this instance writes (assignments, account settings): the write time
/// in Unix milliseconds, but above every version it gave before, so two writes in the same millisecond (or after the
/// clock stepped back) still replace each other in the order they were made.
/// </summary>
internal sealed class WriteVersions(TimeProvider clock)
{
    private long _last;

    /// <summary>The write time and its version.</summary>
    public (DateTimeOffset Now, ulong Version) Next()
    {
        var now = clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        while (true)
        {
            var last = Volatile.Read(ref _last);
            var next = Math.Max(nowMs, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return (now, (ulong)next);
            }
        }
    }
}
