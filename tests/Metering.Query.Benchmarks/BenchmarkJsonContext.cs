using System.Text.Json.Serialization;

namespace Metering.Query.Benchmarks;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(AccountTotalRow))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
