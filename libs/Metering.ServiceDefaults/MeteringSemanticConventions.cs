namespace Metering.ServiceDefaults;

/// <summary>
/// Instrument and attribute names. Follows OpenTelemetry semantic conventions 1.37
/// (https://opentelemetry.io/docs/specs/semconv/) where they define a name (messaging conventions are
/// still "development" there); our own names live under <c>metering.*</c>. Attribute values are
/// bounded sets: never account, subject, meter or event ids (STYLE.md §7).
/// </summary>
public static class MeteringSemanticConventions
{
    public const string IngestEvents = "metering.ingest.events";
    public const string MessagingSentMessages = "messaging.client.sent.messages";
    public const string MessagingOperationDuration = "messaging.client.operation.duration";
    public const string IngestProducerQueue = "metering.ingest.producer.queue";
    public const string IngestBrokerErrors = "metering.ingest.broker.errors";

    /// <summary>Emitted by ASP.NET Core's own meter <c>Microsoft.AspNetCore.Hosting</c>, not by us.</summary>
    public const string HttpServerRequestDuration = "http.server.request.duration";

    public const string MessagingConsumedMessages = "messaging.client.consumed.messages";
    public const string AggregatorEvents = "metering.aggregator.events";
    public const string AggregatorAttribution = "metering.aggregator.attribution";
    public const string AggregatorAdjustments = "metering.aggregator.adjustments";
    public const string WindowLateness = "metering.window.lateness";
    public const string AggregatorFlushDuration = "metering.aggregator.flush.duration";
    public const string AggregatorSinkErrors = "metering.aggregator.sink.errors";
    public const string AggregatorConsumerLag = "metering.aggregator.consumer.lag";
    public const string AggregatorWatermark = "metering.aggregator.watermark";

    public const string Outcome = "metering.outcome";
    public const string ReasonClass = "metering.reason_class";
    public const string MessagingSystem = "messaging.system";
    public const string MessagingDestinationName = "messaging.destination.name";
    public const string MessagingOperationName = "messaging.operation.name";
    public const string ErrorType = "error.type";
    public const string MessagingPartition = "messaging.destination.partition.id";
    public const string Attribution = "metering.attribution";

    /// <summary>The values of <see cref="Outcome"/>: a fixed set.</summary>
    public static class OutcomeValues
    {
        /// <summary>The broker acknowledged the event.</summary>
        public const string Accepted = "accepted";

        /// <summary>The event failed validation (the rest of its request may be accepted); see <see cref="ReasonClass"/>.</summary>
        public const string Rejected = "rejected";

        /// <summary>The request exceeded a size limit (413) and none of its events were taken.</summary>
        public const string TooLarge = "too_large";

        /// <summary>The key may not send events of that account (403).</summary>
        public const string Forbidden = "forbidden";

        /// <summary>The broker could not take the events (503).</summary>
        public const string Unavailable = "unavailable";
    }

    /// <summary>Bucket advice for operation durations in seconds: 1 ms to 10 s.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
