using System.Text.Json.Serialization;

namespace Metering.ClickHouse.Tests;

/// <summary>Source-generated JSON for the rows the tests write and read.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Rows.RoundTripRow))]
[JsonSerializable(typeof(Rows.StringRow))]
[JsonSerializable(typeof(Rows.NameRow))]
[JsonSerializable(typeof(Rows.IsoTimeRow))]
[JsonSerializable(typeof(Rows.MigrationRow))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
