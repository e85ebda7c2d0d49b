namespace Metering.Windowing;

/// <summary>
/// The event keys seen within a horizon of event time (DESIGN.md §5.2): exact — a key is reported as a
/// duplicate only when that very key was added — and bounded, because <see cref="EvictBefore"/> forgets
/// the keys of events older than the horizon.
/// </summary>
public sealed class DedupeSet
{
    private readonly Dictionary<string, long> _eventTimes = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _byEventTime = new();

    /// <summary>Keys remembered.</summary>
    public int Count => _eventTimes.Count;

    /// <summary>Remembers <paramref name="key"/>; false when it was already remembered (a duplicate).</summary>
    public bool TryAdd(string key, long eventTimeMs)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_eventTimes.TryAdd(key, eventTimeMs))
        {
            return false;
        }

        _byEventTime.Enqueue(key, eventTimeMs);
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is remembered.</summary>
    public bool Contains(string key) => _eventTimes.ContainsKey(key);

    /// <summary>Forgets every key whose event time is before <paramref name="eventTimeMs"/>; returns how many.</summary>
    public int EvictBefore(long eventTimeMs)
    {
        var evicted = 0;
        while (_byEventTime.TryPeek(out var key, out var time) && time < eventTimeMs)
        {
            _byEventTime.Dequeue();
            _eventTimes.Remove(key);
            evicted++;
        }

        return evicted;
    }
}
