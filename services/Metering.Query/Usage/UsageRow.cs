using System.Text.Json.Serialization;
using Metering.ClickHouse;

namespace Metering.Query.Usage;

/// <summary>One row of the usage SQL: a bucket, the group's dimension values in request order, the value.</summary>
internal sealed record UsageRow(
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset WindowStart,
    IReadOnlyList<string> Dims,
    double Value,
    byte IsFinal);
