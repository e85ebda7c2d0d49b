using System.Threading.Channels;
using Metering.Events;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// The decode stage, between the Kafka source and the window stage: turns each <see cref="ConsumedRecord"/> into a
/// <see cref="DecodedRecord"/> and passes every other message on, in order. Decoding is a third of the work a record
/// costs; on a thread of its own it runs beside applying the records before it.
/// </summary>
internal static class RecordDecoder
{
    public static async Task RunAsync(
        ChannelReader<SourceMessage> input, ChannelWriter<SourceMessage> output, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var strings = new Utf8StringCache();
        try
        {
            await foreach (var message in input.ReadAllAsync(cancellationToken))
            {
                var decoded = message is ConsumedRecord record
                    ? new DecodedRecord(
                        record, UsageEventCodec.DeserializeKeepingData(record.Value, strings, out var data, out var reason), data, reason)
                    : message;
                if (!output.TryWrite(decoded))
                {
                    await output.WriteAsync(decoded, cancellationToken);
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            output.TryComplete(failure);
        }
    }
}
