using Confluent.Kafka;

namespace Metering.Ingest.Producing;

/// <summary>
/// Waits for the broker's acknowledgement of every message of one batch with a single task, instead
/// of one task per message: the delivery handler runs on the producer's poll thread and only counts.
/// </summary>
internal sealed class BatchDelivery
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;
    private Error? _firstError;

    public BatchDelivery(int count)
    {
        _outstanding = count;
        Report = OnReport;
        if (count == 0)
        {
            _done.TrySetResult();
        }
    }

    /// <summary>The delivery handler to pass to <c>Produce</c> for every message of the batch.</summary>
    public Action<DeliveryReport<byte[], byte[]>> Report { get; }

    /// <summary>Completes when every message was acknowledged, or fails with the first error reported.</summary>
    public Task Task => _done.Task;

    /// <summary>The batch stopped before every message was produced: it cannot complete.</summary>
    public void Abandon(Error error)
    {
        Interlocked.CompareExchange(ref _firstError, error, null);
        _done.TrySetException(new ProduceException<byte[], byte[]>(error, new DeliveryResult<byte[], byte[]>()));
    }

    private void OnReport(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _firstError, report.Error, null);
        }

        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            if (_firstError is { } error)
            {
                _done.TrySetException(new ProduceException<byte[], byte[]>(error, new DeliveryResult<byte[], byte[]>()));
            }
            else
            {
                _done.TrySetResult();
            }
        }
    }
}
