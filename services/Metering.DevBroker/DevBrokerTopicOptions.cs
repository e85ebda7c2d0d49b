using System.ComponentModel.DataAnnotations;

namespace Metering.DevBroker;

/// <summary>A topic the development broker creates at start.</summary>
internal sealed class DevBrokerTopicOptions
{
    /// <summary>The topic name.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,249}$")]
    public string Name { get; set; } = "";

    /// <summary>The partition count.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 10_000)]
    public int Partitions { get; set; } = 8;
}
