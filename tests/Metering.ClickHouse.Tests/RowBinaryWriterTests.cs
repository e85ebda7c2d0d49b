namespace Metering.ClickHouse.Tests;

public sealed class RowBinaryWriterTests
{
    [Test]
    public void Write_EveryType_IsLittleEndianWithLeb128Lengths()
    {
        using var writer = new RowBinaryWriter(16);

        writer.WriteUInt8(0xAB);
        writer.WriteUInt16(0x0102);
        writer.WriteUInt32(0x01020304);
        writer.WriteUInt64(1);
        writer.WriteInt64(-2);
        writer.WriteFloat64(1.0);
        writer.WriteDateTime(DateTimeOffset.FromUnixTimeSeconds(0x01020304).AddMilliseconds(999));
        writer.WriteString("é");
        writer.WriteString(new string('a', 130));
        writer.WriteStringArray(["x", ""]);

        byte[] expected =
        [
            0xAB,
            0x02, 0x01,
            0x04, 0x03, 0x02, 0x01,
            1, 0, 0, 0, 0, 0, 0, 0,
            0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
            0x04, 0x03, 0x02, 0x01,
            2, 0xC3, 0xA9,
            0x82, 0x01, .. Enumerable.Repeat((byte)'a', 130),
            2, 1, (byte)'x', 0,
        ];
        Assert.That(writer.WrittenMemory.ToArray(), Is.EqualTo(expected));
    }

    [TestCase(-1L, 0u)]
    [TestCase(1L << 33, uint.MaxValue)]
    public void WriteDateTime_OutsideTheColumnsRange_IsClamped(long seconds, uint expected)
    {
        using var writer = new RowBinaryWriter();

        writer.WriteDateTime(DateTimeOffset.FromUnixTimeSeconds(seconds));

        Assert.That(BitConverter.ToUInt32(writer.WrittenMemory.Span), Is.EqualTo(expected));
    }

    [Test]
    public void WriteString_UnpairedSurrogate_Throws()
    {
        using var writer = new RowBinaryWriter();

        Assert.That(() => writer.WriteString("a\ud800b"), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void Encode_InvalidColumnOrTable_ThrowsBeforeWriting() =>
        Assert.Throws<ArgumentException>(() => RowBinaryRows.Encode<Rows.RoundTripRow>("t; DROP TABLE x", []));
}
