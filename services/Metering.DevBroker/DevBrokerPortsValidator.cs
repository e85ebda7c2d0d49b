using Microsoft.Extensions.Options;

namespace Metering.DevBroker;

/// <summary>
/// Fails start when a broker port is also a control API port: broker <c>i</c> takes <c>Port + i - 1</c>, so with the
/// defaults (9092, control API on 9093) a second broker collides with the control API.
/// </summary>
internal sealed class DevBrokerPortsValidator(IConfiguration configuration) : IValidateOptions<DevBrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, DevBrokerOptions options)
    {
        if (options.Port == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var lastPort = options.Port + options.Brokers - 1;
        var urls = (configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            // Kestrel's wildcard hosts are not valid URI hosts.
            var parseable = url.Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal);
            if (Uri.TryCreate(parseable, UriKind.Absolute, out var uri) && uri.Port >= options.Port && uri.Port <= lastPort)
            {
                return ValidateOptionsResult.Fail(
                    $"The control API URL {url} uses port {uri.Port}, which broker {uri.Port - options.Port + 1} needs "
                    + $"(brokers take ports {options.Port}-{lastPort}). Move the control API (Urls or ASPNETCORE_URLS) "
                    + "or the brokers (DevBroker:Port).");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
