using System.ComponentModel.DataAnnotations;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator;

/// <summary>Windows, lateness and pipeline sizes (configuration section <c>Aggregator</c>, API.md).</summary>
public sealed class AggregatorOptions
{
    public const string SectionName = "Aggregator";

    /// <summary>The base window; it must divide a day.</summary>
    /// <value>The default value is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WindowSize { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A window is final once the watermark passes its end plus this.</summary>
    /// <value>The default value is 2 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "35.00:00:00")]
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Watermark = the largest event time seen minus this.</summary>
    /// <value>The default value is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan OutOfOrderness { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an event id is remembered for dedupe.</summary>
    /// <value>The default value is 3 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "36.00:00:00")]
    public TimeSpan DedupeHorizon { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How often the team assignments are read again from ClickHouse.</summary>
    /// <value>The default value is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan DirectoryRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <value>The default value is <c>metering-aggregator</c>.</value>
    [Required]
    public string ConsumerGroup { get; set; } = "metering-aggregator";

    /// <summary>Records buffered between the Kafka source and the window stage.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 1_000_000)]
    public int EventBufferCapacity { get; set; } = 10_000;

    /// <summary>Batches buffered between the window stage and the ClickHouse sink.</summary>
    /// <value>The default value is 4.</value>
    [Range(1, 1_000)]
    public int BatchBufferCapacity { get; set; } = 4;

    /// <summary>A batch is written once it holds this many records…</summary>
    /// <value>The default value is 200,000.</value>
    [Range(1, 1_000_000)]
    public int MaxBatchRecords { get; set; } = 200_000;

    /// <summary>…or once its rows take this many bytes encoded (events may be up to 900 KiB each)…</summary>
    /// <value>The default value is 64 MiB.</value>
    [Range(1024, 1 << 30)]
    public int MaxBatchBytes { get; set; } = 64 << 20;

    /// <summary>…or once its first record is this old.</summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class AggregatorOptionsValidator : IValidateOptions<AggregatorOptions>;

/// <summary>The rule that spans a value and a day: the window size must divide a day.</summary>
internal sealed class AggregatorWindowValidator : IValidateOptions<AggregatorOptions>
{
    public ValidateOptionsResult Validate(string? name, AggregatorOptions options) =>
        TumblingWindow.SizeError(options.WindowSize, "Aggregator:WindowSize") is { } error
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success;
}
