using System.Text.Json;
using System.Text.Json.Serialization;

namespace Metering.Query.Tests;

/// <summary>Source-generated JSON for what the tests read from ClickHouse directly.</summary>
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
