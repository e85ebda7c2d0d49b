namespace Metering.Events;

/// <summary>
/// A usage event as it travels through the pipeline: a CloudEvents 1.0 event (DESIGN.md §4) stamped by
/// the ingest gateway with <see cref="IngestId"/> and <see cref="IngestedAt"/>.
/// </summary>
/// <param name="Id">The producer's event id; unique per <paramref name="Source"/>.</param>
/// <param name="Source">The producing service.</param>
/// <param name="Type">What happened; meters select on it.</param>
/// <param name="Time">Event time.</param>
/// <param name="Subject">The user or resource the usage belongs to, if any.</param>
/// <param name="Account">The customer account (CloudEvents extension attribute <c>account</c>).</param>
/// <param name="Data">The <c>data</c> object as raw JSON text, or null when absent or JSON null.</param>
/// <param name="IngestId">Assigned by the gateway.</param>
/// <param name="IngestedAt">When the gateway accepted the event.</param>
public sealed record UsageEvent(
    string Id,
    string Source,
    string Type,
    DateTimeOffset Time,
    string? Subject,
    string Account,
    string? Data,
    string IngestId,
    DateTimeOffset IngestedAt)
{
    /// <summary>The dedupe key of DESIGN.md §4: (account, source, id).</summary>
    public (string Account, string Source, string Id) DedupeKey => (Account, Source, Id);
}
