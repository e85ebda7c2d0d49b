using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Metering.Ingest.Events;

/// <summary>
/// The ingest ids of one request: UUID version 7 (RFC 9562) stamped with the request's time, as 32 lower-case hex
/// digits, the text <c>Guid.CreateVersion7(now).ToString("N")</c> gives. The random bits come from the system's
/// secure source 64 ids at a time, not in one system call per id.
/// </summary>
internal sealed class IngestIdGenerator
{
    private const int RandomBytes = 10;
    private const int IdsPerDraw = 64;
    private readonly byte[] _uuid = new byte[16];
    private readonly byte[] _random = new byte[RandomBytes * IdsPerDraw];
    private readonly byte[] _text = new byte[32];
    private int _drawn = IdsPerDraw;

    public IngestIdGenerator(DateTimeOffset now)
    {
        // unix_ts_ms: the first 48 bits, big-endian.
        Span<byte> milliseconds = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(milliseconds, now.ToUnixTimeMilliseconds());
        milliseconds[2..].CopyTo(_uuid);
    }

    /// <summary>The next id as UTF-8 text; valid until the next call.</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (_drawn == IdsPerDraw)
        {
            RandomNumberGenerator.Fill(_random);
            _drawn = 0;
        }

        _random.AsSpan(_drawn++ * RandomBytes, RandomBytes).CopyTo(_uuid.AsSpan(6));
        _uuid[6] = (byte)(0x70 | (_uuid[6] & 0x0F)); // version 7
        _uuid[8] = (byte)(0x80 | (_uuid[8] & 0x3F)); // variant 10
        Convert.TryToHexStringLower(_uuid, _text, out _);
        return _text;
    }
}
