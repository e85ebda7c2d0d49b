using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace Metering.DevBroker;

/// <summary>The development broker (configuration section <c>DevBroker</c>).</summary>
internal sealed class DevBrokerOptions : IValidatableObject
{
    public const string SectionName = "DevBroker";

    /// <summary>The control API's URL unless <c>Urls</c> (or <c>ASPNETCORE_URLS</c>, <c>--urls</c>) says otherwise.</summary>
    public const string DefaultControlUrl = "http://127.0.0.1:9093";

    /// <summary>The fixed port of broker 1; broker <c>i</c> listens on <c>Port + i - 1</c>. 0 uses ephemeral ports.</summary>
    /// <value>The default value is 9092.</value>
    [Range(0, IPEndPoint.MaxPort)]
    public int Port { get; set; } = 9092;

    /// <summary>How many brokers the cluster has.</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 32)]
    public int Brokers { get; set; } = 1;

    /// <summary>The host name brokers advertise in metadata.</summary>
    /// <value>The default value is <c>127.0.0.1</c>.</value>
    [Required]
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>Topics created at start, e.g. <c>DevBroker__Topics__0__Name</c>. Configuring any replaces the default.</summary>
    /// <value>The default value is one topic, <c>usage-events</c>, with 8 partitions (see <see cref="DefaultTopic"/>).</value>
    [ValidateEnumeratedItems]
    public List<DevBrokerTopicOptions> Topics { get; set; } = [];

    /// <summary>
    /// Where the broker journals its records, so that a restart comes back with the same records at the same offsets;
    /// empty keeps everything in memory only.
    /// </summary>
    /// <value>The default value is empty (in memory only).</value>
    public string DataDirectory { get; set; } = "";

    /// <summary>How long a stopping broker waits for the journal to reach the end of every partition.</summary>
    /// <value>The default value is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan JournalCatchUpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The topic created when <see cref="Topics"/> is not configured.</summary>
    public static DevBrokerTopicOptions DefaultTopic => new() { Name = "usage-events", Partitions = 8 };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Port > 0 && Port + Brokers - 1 > IPEndPoint.MaxPort)
        {
            yield return new ValidationResult(
                $"Port + Brokers - 1 must be at most {IPEndPoint.MaxPort}: broker i listens on Port + i - 1.",
                [nameof(Port), nameof(Brokers)]);
        }

        foreach (var duplicate in Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"Topic '{duplicate.Key}' is configured more than once.", [nameof(Topics)]);
        }
    }
}
