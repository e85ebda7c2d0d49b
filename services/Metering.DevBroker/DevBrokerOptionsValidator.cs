using Microsoft.Extensions.Options;

namespace Metering.DevBroker;

[OptionsValidator]
internal sealed partial class DevBrokerOptionsValidator : IValidateOptions<DevBrokerOptions>;
