using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Metering.ServiceDefaults;

/// <summary>
/// A request body read whole, under a byte limit, whether or not it declares its length, into a buffer from the
/// shared pool: bodies of up to a mebibyte would otherwise each be a large-object-heap allocation. Dispose it to give
/// the buffer back; nothing may read <see cref="Memory"/> after that.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private const int UnknownLengthStart = 16 * 1024;
    private byte[]? _buffer;
    private readonly int _length;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>The body's bytes.</summary>
    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(RequestBody))).AsMemory(0, _length);

    /// <summary>The whole body, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        // One byte more than the body, so that the read that finds its end has room.
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } length ? (int)length + 1 : UnknownLengthStart);
        var count = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(count), cancellationToken)) > 0)
            {
                count += read;
                if (count > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }

                if (count == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan().CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new RequestBody(buffer, count);
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
