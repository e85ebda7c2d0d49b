using Confluent.Kafka;

namespace Metering.Kafka.DevBroker;

/// <summary>Appends records to one topic-partition's journal file (<see cref="JournalFormat"/>).</summary>
internal sealed class JournalFileWriter : IDisposable
{
    private const int StreamBufferSize = 256 * 1024;

    private readonly FileStream _stream;
    private byte[] _buffer = new byte[4 * 1024];
    private bool _dirty;

    private JournalFileWriter(FileStream stream, long nextOffset)
    {
        _stream = stream;
        NextOffset = nextOffset;
    }

    /// <summary>The offset the next record is expected at.</summary>
    public long NextOffset { get; private set; }

    /// <summary>Opens (or creates) a journal file for appending after its last complete record.</summary>
    /// <param name="path">The file.</param>
    /// <param name="validLength">The length to keep: an incomplete last record beyond it is cut off.</param>
    /// <param name="nextOffset">The offset of the record after the last one in the file.</param>
    public static JournalFileWriter Open(string path, long validLength, long nextOffset)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, StreamBufferSize);
        try
        {
            if (validLength < JournalFormat.HeaderLength)
            {
                stream.SetLength(0);
                stream.Write(JournalFormat.Magic);
                stream.Flush(flushToDisk: true);
            }
            else if (stream.Length != validLength)
            {
                stream.SetLength(validLength);
            }

            stream.Seek(0, SeekOrigin.End);
            return new JournalFileWriter(stream, nextOffset);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Append(int partition, long offset, Timestamp timestamp, byte[]? key, byte[]? value, Headers? headers)
    {
        var length = sizeof(int) + JournalFormat.BodyLength(key, value, headers);
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }

        JournalFormat.Write(_buffer.AsSpan(0, length), partition, offset, timestamp, key, value, headers);
        _stream.Write(_buffer, 0, length);
        NextOffset = offset + 1;
        _dirty = true;
    }

    /// <summary>Writes buffered records to the operating system, and to the disk when <paramref name="toDisk"/>.</summary>
    public void Flush(bool toDisk)
    {
        if (!_dirty && !toDisk)
        {
            return;
        }

        _stream.Flush(toDisk);
        _dirty = false;
    }

    public void Dispose() => _stream.Dispose();
}
