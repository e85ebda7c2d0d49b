using Metering.Chaos.Oracle;

namespace Metering.Chaos.Generation;

/// <summary>One distinct event as sent (<see cref="Json"/>, resent byte for byte as a duplicate) and what it must count for.</summary>
internal sealed record GeneratedEvent(
    byte[] Json, string Account, string Source, string Id, ChaosMeter Meter, string Subject, string Team, string GroupBy,
    long TimeMs, bool HasValue, double Value, bool Late);
