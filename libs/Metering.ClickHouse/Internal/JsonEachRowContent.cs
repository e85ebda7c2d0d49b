using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Metering.ClickHouse.Internal;

/// <summary>
/// Streams rows as JSONEachRow (one JSON object per line) into the request body, in chunks of about 64 KiB,
/// without buffering the whole batch. Each send enumerates <c>rows</c> again.
/// </summary>
internal sealed class JsonEachRowContent<T>(IEnumerable<T> rows, JsonTypeInfo<T> rowType) : HttpContent
{
    private const int ChunkSize = 64 * 1024;

    public long RowsWritten { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(ChunkSize + 4096);
        // Escape only what JSON requires: 18.16 reads DateTime and number fields verbatim, so an escaped '+'
        // (\u002B, the default encoder's choice) in "2024-01-01T00:00:00+02:00" fails to parse.
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long count = 0;
        foreach (var row in rows)
        {
            JsonSerializer.Serialize(writer, row, rowType);
            writer.Flush();
            writer.Reset();
            buffer.Write("\n"u8);
            count++;
            if (buffer.WrittenCount >= ChunkSize)
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        if (buffer.WrittenCount > 0)
        {
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }

        RowsWritten = count;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    public static JsonEachRowContent<T> Create(IEnumerable<T> rows, JsonTypeInfo<T> rowType)
    {
        var content = new JsonEachRowContent<T>(rows, rowType);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson") { CharSet = "utf-8" };
        return content;
    }
}
