using System.Buffers.Binary;
using System.Text;

namespace Metering.ClickHouse;

/// <summary>
/// Reads rows of ClickHouse's <c>RowBinary</c> output (see <see cref="RowBinaryWriter"/> for the format) from a
/// buffer; the row reader passed to
/// <see cref="ClickHouseClient.QueryRowBinaryAsync{T}(string, RowBinaryRowReader{T}, ClickHouseQueryOptions?, CancellationToken)"/>
/// reads one row's columns in the order of the <c>SELECT</c>.
/// </summary>
public ref struct RowBinaryReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>Whether every byte was read.</summary>
    public readonly bool End => _position >= _data.Length;

    public byte ReadUInt8() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary><c>DateTime</c>: Unix seconds.</summary>
    public DateTimeOffset ReadDateTime() => DateTimeOffset.FromUnixTimeSeconds(ReadUInt32());

    /// <summary>A <c>String</c>'s bytes, valid until the buffer is reused.</summary>
    public ReadOnlySpan<byte> ReadStringBytes() => Take(checked((int)ReadVarUInt()));

    /// <summary>A <c>String</c> as text (UTF-8; invalid sequences become U+FFFD).</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    /// <summary><c>Array(String)</c>.</summary>
    public string[] ReadStringArray()
    {
        var count = checked((int)ReadVarUInt());
        if (count == 0)
        {
            return [];
        }

        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ReadString();
        }

        return values;
    }

    /// <summary>An unsigned LEB128 number: the length of a string or an array.</summary>
    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadUInt8();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("A RowBinary length is longer than 10 bytes.");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _data.Length - _position < count)
        {
            throw new FormatException(
                $"RowBinary data ends at byte {_data.Length}, inside a value that needs {count} bytes at {_position}.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}

/// <summary>Reads one row's columns from <paramref name="reader"/>.</summary>
public delegate T RowBinaryRowReader<out T>(ref RowBinaryReader reader);
