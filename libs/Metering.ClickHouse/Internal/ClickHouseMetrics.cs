using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Metering.ClickHouse.Internal;

/// <summary>
/// <c>db.client.operation.duration</c> per attempt, following the OpenTelemetry database client semantic
/// conventions v1.33 (https://opentelemetry.io/docs/specs/semconv/database/database-metrics/).
/// </summary>
internal sealed class ClickHouseMetrics
{
    public const string MeterName = "Metering.ClickHouse";
    public const string OperationDuration = "db.client.operation.duration";
    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";
    public const string DbResponseStatusCode = "db.response.status_code";
    public const string ErrorType = "error.type";

    // Used when no IMeterFactory is at hand (a client built by hand outside a host).
    private static readonly Lazy<ClickHouseMetrics> Fallback = new(() => new ClickHouseMetrics(new Meter(MeterName)));

    private readonly Histogram<double> _duration;

    private ClickHouseMetrics(Meter meter)
    {
        _duration = meter.CreateHistogram(
            OperationDuration,
            unit: "s",
            description: "Duration of ClickHouse client operations (one attempt each).",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    public static ClickHouseMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? Fallback.Value : new ClickHouseMetrics(meterFactory.Create(MeterName));

    public void RecordDuration(string operation, TimeSpan elapsed, Exception? error)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { DbSystemName, "clickhouse" },
            { DbOperationName, operation },
        };
        if (error is not null)
        {
            tags.Add(ErrorType, error.GetType().FullName);
            if (error is ClickHouseException { Code: > 0 } clickHouse)
            {
                tags.Add(DbResponseStatusCode, clickHouse.Code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
