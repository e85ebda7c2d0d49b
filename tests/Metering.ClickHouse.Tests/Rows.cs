using System.Text.Json.Serialization;

namespace Metering.ClickHouse.Tests;

/// <summary>The rows the tests write and read (see <see cref="TestJsonContext"/>).</summary>
internal static class Rows
{
    internal sealed record RoundTripRow(
        uint Id,
        string Text,
        ulong Big,
        double Real,
        [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset At,
        string[] Tags) : IRowBinaryRow<RoundTripRow>
    {
        public static IReadOnlyList<string> Columns { get; } = ["id", "text", "big", "real", "at", "tags"];

        public static RoundTripRow Read(ref RowBinaryReader reader) =>
            new(reader.ReadUInt32(), reader.ReadString(), reader.ReadUInt64(), reader.ReadFloat64(), reader.ReadDateTime(),
                reader.ReadStringArray());

        public void WriteTo(RowBinaryWriter writer)
        {
            writer.WriteUInt32(Id);
            writer.WriteString(Text);
            writer.WriteUInt64(Big);
            writer.WriteFloat64(Real);
            writer.WriteDateTime(At);
            writer.WriteStringArray(Tags);
        }
    }

    internal sealed record StringRow(string S);

    internal sealed record NameRow(string Name);

    internal sealed record IsoTimeRow(string At);

    internal sealed record MigrationRow(string Name, string Checksum);
}
