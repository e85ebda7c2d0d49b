using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;

namespace Metering.Kafka.DevBroker;

/// <summary>
/// The journal file format, one file per topic-partition: an 8-byte header (<see cref="Magic"/>), then records, each a
/// little-endian <c>int32</c> body length followed by the body:
/// <c>int32 partition, int64 offset, int64 timestamp (Unix ms), uint8 timestamp type, bytes key, bytes value,
/// int32 header count, (bytes name (UTF-8), bytes value) per header</c>, where <c>bytes</c> is an <c>int32</c> length
/// (-1 for null) and that many bytes. A record cut short at the end of a file (the writer stopped mid-record) is
/// detected by its length.
/// </summary>
internal static class JournalFormat
{
    /// <summary>"MJRNL", a zero byte and the format version 1.</summary>
    public static ReadOnlySpan<byte> Magic => "MJRNL\0\0\u0001"u8;

    public const int HeaderLength = 8;

    /// <summary>Bodies above this are corruption, not records: the mock refuses requests of 1 GB and more.</summary>
    public const int MaxBodyLength = 1_000_000_000;

    private const int FixedLength = sizeof(int) + sizeof(long) + sizeof(long) + sizeof(byte) + sizeof(int);

    /// <summary>The body length of a record.</summary>
    public static int BodyLength(byte[]? key, byte[]? value, Headers? headers)
    {
        var length = FixedLength + BytesLength(key) + BytesLength(value);
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                length += sizeof(int) + Encoding.UTF8.GetByteCount(header.Key) + BytesLength(header.GetValueBytes());
            }
        }

        return length;
    }

    /// <summary>Writes the length prefix and body of a record; <paramref name="destination"/> holds exactly that.</summary>
    public static void Write(
        Span<byte> destination, int partition, long offset, Timestamp timestamp, byte[]? key, byte[]? value, Headers? headers)
    {
        var writer = new SpanWriter(destination);
        writer.Int32(destination.Length - sizeof(int));
        writer.Int32(partition);
        writer.Int64(offset);
        writer.Int64(timestamp.UnixTimestampMs);
        writer.Byte((byte)timestamp.Type);
        writer.Bytes(key);
        writer.Bytes(value);
        writer.Int32(headers?.Count ?? 0);
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                writer.String(header.Key);
                writer.Bytes(header.GetValueBytes());
            }
        }

        if (writer.Position != destination.Length)
        {
            throw new InvalidOperationException($"Journal record encoding wrote {writer.Position} of {destination.Length} bytes.");
        }
    }

    /// <summary>Reads a record body.</summary>
    /// <exception cref="InvalidDataException">The body is not a record.</exception>
    public static JournalRecord Read(ReadOnlySpan<byte> body)
    {
        var reader = new SpanReader(body);
        var partition = reader.Int32();
        var offset = reader.Int64();
        var timestampMs = reader.Int64();
        var timestampType = (TimestampType)reader.Byte();
        var key = reader.Bytes();
        var value = reader.Bytes();
        var count = reader.Int32();
        if (count < 0 || count > body.Length)
        {
            throw new InvalidDataException($"Invalid header count {count}.");
        }

        var headers = new Headers();
        for (var i = 0; i < count; i++)
        {
            var name = reader.Bytes() ?? throw new InvalidDataException("A header name is null.");
            headers.Add(Encoding.UTF8.GetString(name), reader.Bytes());
        }

        if (reader.Position != body.Length)
        {
            throw new InvalidDataException($"The record body has {body.Length - reader.Position} byte(s) left over.");
        }

        return new JournalRecord(partition, offset, timestampMs, timestampType, key, value, headers);
    }

    private static int BytesLength(byte[]? bytes) => sizeof(int) + (bytes?.Length ?? 0);

    private ref struct SpanWriter(Span<byte> span)
    {
        private readonly Span<byte> _span = span;

        public int Position { get; private set; }

        public void Byte(byte value) => _span[Position++] = value;

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_span[Position..], value);
            Position += sizeof(int);
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_span[Position..], value);
            Position += sizeof(long);
        }

        public void Bytes(byte[]? bytes)
        {
            Int32(bytes?.Length ?? -1);
            if (bytes is not null)
            {
                bytes.CopyTo(_span[Position..]);
                Position += bytes.Length;
            }
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetBytes(value, _span[(Position + sizeof(int))..]);
            Int32(length);
            Position += length;
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;

        public int Position { get; private set; }

        public byte Byte() => Take(sizeof(byte))[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

        public byte[]? Bytes()
        {
            var length = Int32();
            return length switch
            {
                -1 => null,
                < -1 => throw new InvalidDataException($"Invalid byte string length {length}."),
                _ => Take(length).ToArray(),
            };
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _span.Length - Position)
            {
                throw new InvalidDataException($"The record body ends {length - (_span.Length - Position)} byte(s) early.");
            }

            var slice = _span.Slice(Position, length);
            Position += length;
            return slice;
        }
    }
}
