using System.Text.Json;
using System.Text.Json.Serialization;

namespace Metering.ClickHouse.Internal;

/// <summary>The library's own JSON types (source-generated: the library is AOT-compatible).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(SchemaMigrationRow))]
[JsonSerializable(typeof(AppliedMigrationRow))]
internal sealed partial class ClickHouseJsonContext : JsonSerializerContext;
