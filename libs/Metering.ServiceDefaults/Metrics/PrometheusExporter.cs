using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Metering.ServiceDefaults.Metrics;

/// <summary>
/// Renders OpenTelemetry metrics in the Prometheus text exposition format 0.0.4 (no exporter package
/// is served here, DESIGN.md §3). Naming follows STYLE.md §7 and the OpenTelemetry-to-Prometheus
/// rules: dots become underscores, <c>s</c> and <c>By</c> units become <c>_seconds</c> and <c>_bytes</c>,
/// <c>{…}</c> annotations are dropped, monotonic sums get <c>_total</c>.
/// </summary>
public sealed class PrometheusExporter : BaseExporter<Metric>
{
    private string _latest = "";

    /// <summary>The text the last collection rendered.</summary>
    public string Latest => Volatile.Read(ref _latest);

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var text = new StringBuilder();
        foreach (var metric in batch)
        {
            Render(metric, text);
        }

        Volatile.Write(ref _latest, text.ToString());
        return ExportResult.Success;
    }

    /// <summary>A Prometheus metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, with the unit suffix.</summary>
    public static string MetricName(string instrument, string? unit)
    {
        var name = new StringBuilder(instrument.Length + 8);
        foreach (var c in instrument)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            null or "" or "1" => "",
            _ when unit.StartsWith('{') => "",
            _ => "_" + new string([.. unit.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]),
        };
        return name.ToString().EndsWith(suffix, StringComparison.Ordinal) ? name.ToString() : name + suffix;
    }

    private static void Render(Metric metric, StringBuilder text)
    {
        if (metric.MetricType is MetricType.ExponentialHistogram)
        {
            return; // not in the 0.0.4 text format; no view of ours asks for it
        }

        var name = MetricName(metric.Name, metric.Unit);
        var (type, series) = metric.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => ("counter", name + "_total"),
            MetricType.Histogram => ("histogram", name),
            _ => ("gauge", name),
        };
        if (!string.IsNullOrEmpty(metric.Description))
        {
            text.Append("# HELP ").Append(series).Append(' ').Append(EscapeHelp(metric.Description)).Append('\n');
        }

        text.Append("# TYPE ").Append(series).Append(' ').Append(type).Append('\n');
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var labels = Labels(point.Tags);
            switch (metric.MetricType)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    Sample(text, series, labels, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    Sample(text, series, labels, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    Sample(text, series, labels, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    Sample(text, series, labels, point.GetGaugeLastValueDouble());
                    break;
                case MetricType.Histogram:
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        var le = double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : Number(bucket.ExplicitBound);
                        Sample(text, name + "_bucket", Join(labels, $"le=\"{le}\""), cumulative);
                    }

                    Sample(text, name + "_sum", labels, point.GetHistogramSum());
                    Sample(text, name + "_count", labels, point.GetHistogramCount());
                    break;
            }
        }
    }

    private static string Labels(ReadOnlyTagCollection tags)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
        {
            labels.Append(labels.Length == 0 ? "" : ",").Append(MetricName(tag.Key, null)).Append("=\"")
                .Append(EscapeLabel(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        return labels.ToString();
    }

    private static string Join(string labels, string label) => labels.Length == 0 ? label : labels + "," + label;

    private static void Sample(StringBuilder text, string series, string labels, double value)
    {
        text.Append(series);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
