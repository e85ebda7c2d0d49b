using System.Buffers.Binary;

namespace Metering.Kafka.DevBroker;

/// <summary>Reads a journal file (<see cref="JournalFormat"/>) from the start, record by record.</summary>
internal sealed class JournalFileReader : IDisposable
{
    private const int StreamBufferSize = 1024 * 1024;

    private readonly FileStream _stream;
    private readonly byte[] _lengthPrefix = new byte[sizeof(int)];
    private byte[] _body = new byte[64 * 1024];

    private JournalFileReader(string path, FileStream stream, long validLength, bool truncatedTail)
    {
        Path = path;
        _stream = stream;
        ValidLength = validLength;
        TruncatedTail = truncatedTail;
    }

    public string Path { get; }

    /// <summary>The file's length when it was opened.</summary>
    public long FileLength => _stream.Length;

    /// <summary>The bytes up to the end of the last complete record read (or of the header).</summary>
    public long ValidLength { get; private set; }

    /// <summary>Whether the file ends in an incomplete record (or header); known once <see cref="ReadNext"/> returned null.</summary>
    public bool TruncatedTail { get; private set; }

    /// <exception cref="InvalidDataException">The file is not a journal file.</exception>
    public static JournalFileReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, StreamBufferSize, FileOptions.SequentialScan);
        try
        {
            Span<byte> header = stackalloc byte[JournalFormat.HeaderLength];
            var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read < header.Length)
            {
                // Cut short while the file was created: nothing was journaled in it yet.
                return new JournalFileReader(path, stream, validLength: 0, truncatedTail: read > 0);
            }

            if (!header.SequenceEqual(JournalFormat.Magic))
            {
                throw new InvalidDataException($"{path} is not a development broker journal file (unknown header).");
            }

            return new JournalFileReader(path, stream, JournalFormat.HeaderLength, truncatedTail: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next record; <see langword="null"/> at the end of the file or at an incomplete last record.</summary>
    /// <exception cref="InvalidDataException">A complete record is corrupt.</exception>
    public JournalRecord? ReadNext()
    {
        if (ValidLength == 0 || TruncatedTail)
        {
            return null;
        }

        var read = _stream.ReadAtLeast(_lengthPrefix, _lengthPrefix.Length, throwOnEndOfStream: false);
        if (read < _lengthPrefix.Length)
        {
            TruncatedTail = read > 0;
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_lengthPrefix);
        if (length is < 0 or > JournalFormat.MaxBodyLength)
        {
            throw new InvalidDataException($"{Path} is corrupt: a record at byte {ValidLength} claims {length} bytes.");
        }

        if (_body.Length < length)
        {
            _body = new byte[Math.Max(length, _body.Length * 2)];
        }

        read = _stream.ReadAtLeast(_body.AsSpan(0, length), length, throwOnEndOfStream: false);
        if (read < length)
        {
            TruncatedTail = true;
            return null;
        }

        JournalRecord record;
        try
        {
            record = JournalFormat.Read(_body.AsSpan(0, length));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{Path} is corrupt: the record at byte {ValidLength}: {ex.Message}", ex);
        }

        ValidLength += sizeof(int) + length;
        return record;
    }

    public void Dispose() => _stream.Dispose();
}
