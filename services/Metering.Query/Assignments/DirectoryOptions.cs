using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Metering.Query.Assignments;

/// <summary>Request limits of the directory endpoints (configuration section <c>Directory</c>).</summary>
public sealed class DirectoryOptions
{
    public const string SectionName = "Directory";

    /// <value>The default value is 1 MiB.</value>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The most assignments one <c>POST /v1/directory/assignments</c> may carry. They are written in one insert,
    /// which ClickHouse applies atomically only up to 1,048,576 rows (DESIGN.md §3), so the ceiling stays far below.
    /// </summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 100_000)]
    public int MaxAssignmentsPerRequest { get; set; } = 10_000;
}

[OptionsValidator]
internal sealed partial class DirectoryOptionsValidator : IValidateOptions<DirectoryOptions>;
