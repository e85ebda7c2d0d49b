using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Metering.Windowing;

/// <summary>
/// The dedupe keys <c>(account, source, id)</c> (DESIGN.md §4) seen within a horizon of event time (§5.2): exact — a
/// key is reported as a duplicate only when that very key was added, byte for byte — and bounded, because
/// <see cref="EvictBefore"/> forgets the keys of events older than the horizon.
/// </summary>
/// <remarks>
/// A partition remembers millions of keys. Each is kept as its UTF-8 bytes in large shared chunks rather than as a
/// string of its own, found through a table of fixed-size references: about half the memory of strings, and nothing
/// the garbage collector has to trace. A chunk is released once every key in it was evicted.
/// </remarks>
public sealed class DedupeSet
{
    private const int ChunkSize = 1 << 20;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<Chunk?> _chunks = [];
    private readonly Stack<int> _freeChunks = new();
    private readonly Dictionary<KeyRef, long> _eventTimes;
    private readonly PriorityQueue<KeyRef, long> _byEventTime = new();
    private int _current = -1;

    public DedupeSet() => _eventTimes = new Dictionary<KeyRef, long>(new KeyComparer(_chunks));

    /// <summary>Keys remembered.</summary>
    public int Count => _eventTimes.Count;

    /// <summary>Remembers the key; false when it was already remembered (a duplicate).</summary>
    /// <exception cref="ArgumentException">A part has an unpaired surrogate (it has no UTF-8 form).</exception>
    public bool TryAdd(string account, string source, string id, long eventTimeMs)
    {
        var key = Stage(account, source, id);
        ref var time = ref CollectionsMarshal.GetValueRefOrAddDefault(_eventTimes, key, out var exists);
        if (exists)
        {
            return false;
        }

        time = eventTimeMs;
        var chunk = _chunks[key.Chunk]!;
        chunk.Used += KeyLength(chunk.Data, key.Offset);
        chunk.Live++;
        _byEventTime.Enqueue(key, eventTimeMs);
        return true;
    }

    /// <summary>Whether the key is remembered.</summary>
    /// <exception cref="ArgumentException">A part has an unpaired surrogate (it has no UTF-8 form).</exception>
    public bool Contains(string account, string source, string id) => _eventTimes.ContainsKey(Stage(account, source, id));

    /// <summary>Forgets every key whose event time is before <paramref name="eventTimeMs"/>; returns how many.</summary>
    public int EvictBefore(long eventTimeMs)
    {
        var evicted = 0;
        while (_byEventTime.TryPeek(out var key, out var time) && time < eventTimeMs)
        {
            _byEventTime.Dequeue();
            _eventTimes.Remove(key);
            evicted++;
            var chunk = _chunks[key.Chunk]!;
            if (--chunk.Live == 0 && key.Chunk != _current)
            {
                _chunks[key.Chunk] = null;
                _freeChunks.Push(key.Chunk);
            }
        }

        return evicted;
    }

    /// <summary>
    /// Writes the key after the used part of the current chunk, without counting it as used: it is kept only if it
    /// is new. Layout: total length, then account and source each with its length, then id; the lengths make the
    /// encoding of the three parts unambiguous.
    /// </summary>
    private KeyRef Stage(string account, string source, string id)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(id);
        var maxLength = 12 + StrictUtf8.GetMaxByteCount(account.Length + source.Length + id.Length);
        if (_current < 0 || _chunks[_current]!.Data.Length - _chunks[_current]!.Used < maxLength)
        {
            NewChunk(maxLength);
        }

        var chunk = _chunks[_current]!;
        var span = chunk.Data.AsSpan(chunk.Used);
        var length = 4;
        length += WritePart(span[length..], account);
        length += WritePart(span[length..], source);
        length += StrictUtf8.GetBytes(id, span[length..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        return new KeyRef(_current, chunk.Used);

        static int WritePart(Span<byte> span, string part)
        {
            var written = StrictUtf8.GetBytes(part, span[4..]);
            BinaryPrimitives.WriteInt32LittleEndian(span, written);
            return 4 + written;
        }
    }

    private void NewChunk(int minLength)
    {
        if (_current >= 0 && _chunks[_current]!.Live == 0)
        {
            // Every key of the current chunk was evicted while it was being filled.
            _chunks[_current] = null;
            _freeChunks.Push(_current);
        }

        var chunk = new Chunk(new byte[Math.Max(ChunkSize, minLength)]);
        if (_freeChunks.TryPop(out var index))
        {
            _chunks[index] = chunk;
        }
        else
        {
            index = _chunks.Count;
            _chunks.Add(chunk);
        }

        _current = index;
    }

    private static int KeyLength(byte[] data, int offset) => BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));

    private static ReadOnlySpan<byte> Bytes(List<Chunk?> chunks, KeyRef key)
    {
        var data = chunks[key.Chunk]!.Data;
        return data.AsSpan(key.Offset, KeyLength(data, key.Offset));
    }

    private sealed class Chunk(byte[] data)
    {
        public byte[] Data { get; } = data;

        public int Used { get; set; }

        /// <summary>Keys in the chunk not yet evicted.</summary>
        public int Live { get; set; }
    }

    /// <summary>Where a key's bytes are.</summary>
    private readonly record struct KeyRef(int Chunk, int Offset);

    /// <summary>Compares keys by their bytes.</summary>
    private sealed class KeyComparer(List<Chunk?> chunks) : IEqualityComparer<KeyRef>
    {
        public bool Equals(KeyRef x, KeyRef y) => Bytes(chunks, x).SequenceEqual(Bytes(chunks, y));

        public int GetHashCode(KeyRef key)
        {
            var hash = default(HashCode);
            hash.AddBytes(Bytes(chunks, key));
            return hash.ToHashCode();
        }
    }
}
