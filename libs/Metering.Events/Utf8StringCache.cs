using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Unicode;

namespace Metering.Events;

/// <summary>
/// Strings by their UTF-8 bytes, for the values that repeat from event to event: accounts, subjects, sources, event
/// types, group-by values. A hit returns the instance made before, without allocating; so the aggregator's open
/// windows, millions of rollup keys, share one string for each value instead of holding one copy per window.
/// </summary>
/// <remarks>
/// Bounded: a fixed table of slots indexed by a hash of the bytes, in which a new value takes
/// the place of the one in its slot. A value that misses is still returned, as a new string. Not thread-safe: one
/// cache per stage.
/// </remarks>
public sealed class Utf8StringCache
{
    /// <summary>Values longer than this, in UTF-8 bytes, are not kept: long values seldom repeat.</summary>
    public const int MaxLength = 256;

    private readonly Slot[] _slots;
    private readonly int _mask;

    /// <summary>Creates a cache of <paramref name="capacity"/> slots, rounded up to a power of two.</summary>
    public Utf8StringCache(int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        _slots = new Slot[(int)BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _mask = _slots.Length - 1;
    }

    /// <summary>
    /// The string of <paramref name="utf8"/>; null when the bytes are not valid UTF-8 or longer than
    /// <see cref="MaxLength"/>, which the caller decodes (and reports) itself.
    /// </summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return null;
        }

        ref var slot = ref _slots[Hash(utf8) & _mask];
        if (slot.Utf8 is { } bytes && utf8.SequenceEqual(bytes))
        {
            return slot.Text;
        }

        if (!Utf8.IsValid(utf8))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(utf8);
        slot = new Slot(utf8.ToArray(), text);
        return text;
    }

    /// <summary>
    /// A fast multiplicative hash of eight bytes at a time. Not keyed: values chosen to collide only make each other
    /// miss, which costs an allocation, never a wrong string.
    /// </summary>
    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = (ulong)utf8.Length * Multiplier;
        while (utf8.Length >= 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8)) * Multiplier, 29);
            utf8 = utf8[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            tail |= (ulong)utf8[i] << (8 * i);
        }

        hash = (hash ^ tail) * Multiplier;
        return (int)(hash >> 32);
    }

    private readonly record struct Slot(byte[]? Utf8, string? Text);
}
