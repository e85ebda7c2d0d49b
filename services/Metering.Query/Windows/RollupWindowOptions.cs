using System.ComponentModel.DataAnnotations;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Metering.Query.Windows;

/// <summary>
/// The aggregator's window settings the reports depend on (configuration section <c>Aggregator</c>, the same keys the
/// aggregator reads, so the two cannot disagree when they share a configuration): the base window the rollups are
/// cut in and the lateness after which a window is final.
/// </summary>
public sealed class RollupWindowOptions
{
    public const string SectionName = "Aggregator";

    /// <summary>The base window of the rollups; it must divide a day.</summary>
    /// <value>The default value is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WindowSize { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A window is final once the watermark passes its end plus this.</summary>
    /// <value>The default value is 2 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "35.00:00:00")]
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromDays(2);
}

[OptionsValidator]
internal sealed partial class RollupWindowOptionsValidator : IValidateOptions<RollupWindowOptions>;

/// <summary>The rule that spans a value and a day: the window size must divide a day (as the aggregator requires).</summary>
internal sealed class RollupWindowSizeValidator : IValidateOptions<RollupWindowOptions>
{
    public ValidateOptionsResult Validate(string? name, RollupWindowOptions options) =>
        TumblingWindow.SizeError(options.WindowSize, "Aggregator:WindowSize") is { } error
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success;
}
