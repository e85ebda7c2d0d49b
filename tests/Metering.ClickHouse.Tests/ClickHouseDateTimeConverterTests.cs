using System.Text.Json;
using System.Text.Json.Serialization;

namespace Metering.ClickHouse.Tests;

public sealed class ClickHouseDateTimeConverterTests
{
    [TestCase("\"0000-00-00 00:00:00\"", 0)]
    [TestCase("\"1970-01-01 00:00:00\"", 0)]
    [TestCase("\"2026-11-01 12:00:05\"", 1793534405)]
    [TestCase("1793534405", 1793534405)]
    public void Read_ClickHouseText_IsTheInstantInUtc(string json, long unixSeconds)
    {
        var read = JsonSerializer.Deserialize(json, ConverterJsonContext.Default.DateTimeOffset);

        Assert.That(read, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));
    }

    [Test]
    public void Read_NotADateTime_Throws() =>
        Assert.That(() => JsonSerializer.Deserialize("\"yesterday\"", ConverterJsonContext.Default.DateTimeOffset), Throws.TypeOf<JsonException>());
}

[JsonSourceGenerationOptions(Converters = [typeof(ClickHouseDateTimeConverter)])]
[JsonSerializable(typeof(DateTimeOffset))]
internal sealed partial class ConverterJsonContext : JsonSerializerContext;
