using System.Text.Json;
using System.Text.Json.Serialization;

namespace Metering.DevBroker;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateTopicRequest))]
[JsonSerializable(typeof(TopicResponse))]
[JsonSerializable(typeof(SetRttRequest))]
[JsonSerializable(typeof(PushRequestErrorsRequest))]
internal sealed partial class DevBrokerJsonContext : JsonSerializerContext;
