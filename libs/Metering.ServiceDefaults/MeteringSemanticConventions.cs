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

    public const string Outcome = "metering.outcome";
    public const string ReasonClass = "metering.reason_class";
    public const string MessagingSystem = "messaging.system";
    public const string MessagingDestinationName = "messaging.destination.name";
    public const string MessagingOperationName = "messaging.operation.name";
    public const string ErrorType = "error.type";

    /// <summary>Bucket advice for operation durations in seconds: 1 ms to 10 s.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
