namespace Metering.Events;

/// <summary>The acceptance rules of DESIGN.md §4 that are configurable.</summary>
public sealed record EventLimits
{
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How old an event may be: the retention of open windows.</summary>
    /// <value>The default value is 35 days.</value>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(35);

    /// <summary>The longest <c>id</c>, <c>source</c>, <c>type</c>, <c>subject</c> and <c>account</c>.</summary>
    public const int MaxAttributeLength = 256;

    /// <summary>
    /// The largest event, as JSON bytes in the request: with the ingest stamp and the key it stays under the
    /// 1,000,000-byte record limit of the producer and the broker (<c>message.max.bytes</c>).
    /// </summary>
    public const int MaxEventBytes = 900 * 1024;
}
