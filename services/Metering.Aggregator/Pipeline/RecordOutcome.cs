namespace Metering.Aggregator.Pipeline;

/// <summary>What applying one record did, for the metrics.</summary>
/// <param name="Duplicate">The event was seen before within the dedupe horizon and counts nowhere.</param>
/// <param name="Attributed">The event's subject had a team at its event time.</param>
/// <param name="LateMeters">Meters for which the event's window was already final (each became an adjustment).</param>
/// <param name="LatenessSeconds">How far the watermark was past the end of a late event's window.</param>
internal readonly record struct RecordOutcome(bool Duplicate, bool Attributed, int LateMeters, double LatenessSeconds);
