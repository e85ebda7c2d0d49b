using System.Text.Json.Serialization;

namespace Metering.Pipeline.Benchmarks;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ProgressRow))]
[JsonSerializable(typeof(MeterTotalsRow))]
[JsonSerializable(typeof(EventTotalsRow))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
