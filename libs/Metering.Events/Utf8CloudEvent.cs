namespace Metering.Events;

/// <summary>
/// A valid CloudEvent (DESIGN.md §4) as <see cref="CloudEventReader.TryRead"/> reads it from a request: every attribute
/// as unescaped UTF-8 text, mostly straight from the request's bytes, so that the gateway writes the Kafka record
/// without decoding a string. An empty <see cref="Subject"/> or <see cref="Data"/> is an absent one: a present
/// subject is never empty and a present <c>data</c> is an object.
/// </summary>
/// <param name="id">The producer's event id.</param>
/// <param name="source">The producing service.</param>
/// <param name="type">What happened.</param>
/// <param name="time">Event time, in UTC.</param>
/// <param name="subject">The user or resource, or empty.</param>
/// <param name="account">The customer account.</param>
/// <param name="data">The <c>data</c> object as raw JSON, or empty.</param>
public readonly ref struct Utf8CloudEvent(
    ReadOnlySpan<byte> id,
    ReadOnlySpan<byte> source,
    ReadOnlySpan<byte> type,
    DateTimeOffset time,
    ReadOnlySpan<byte> subject,
    ReadOnlySpan<byte> account,
    ReadOnlySpan<byte> data)
{
    public ReadOnlySpan<byte> Id { get; } = id;

    public ReadOnlySpan<byte> Source { get; } = source;

    public ReadOnlySpan<byte> Type { get; } = type;

    public DateTimeOffset Time { get; } = time;

    public ReadOnlySpan<byte> Subject { get; } = subject;

    public ReadOnlySpan<byte> Account { get; } = account;

    public ReadOnlySpan<byte> Data { get; } = data;
}
