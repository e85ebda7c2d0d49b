using System.Threading.Channels;
using Confluent.Kafka;
using Metering.Aggregator.Storage;
using Metering.Aggregator.Telemetry;
using Metering.ClickHouse;
using Metering.Kafka;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// The ClickHouse stage: writes each batch in the order of DESIGN.md §5.6 (rows, then progress) and
/// reports the offsets it made durable. While ClickHouse is unavailable it retries with backoff and
/// the bounded channels stop consumption upstream; nothing is dropped.
/// </summary>
internal sealed class ClickHouseSink
{
    private readonly ClickHouseClient _clickHouse;
    private readonly string _topic;
    private readonly ResiliencePipeline _retry;
    private readonly AggregatorMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}";
    private SinkErrorRow? _outage; // failed attempts not yet recorded in sink_errors
    private int _waiting;

    public ClickHouseSink(
        ClickHouseClient clickHouse, IOptions<KafkaOptions> kafka, AggregatorMetrics metrics, TimeProvider clock, ILogger<ClickHouseSink> logger)
    {
        _clickHouse = clickHouse;
        _metrics = metrics;
        _clock = clock;
        _topic = kafka.Value.Topic;
        _retry = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ClickHouseClient.IsTransient(ex, args.Context.CancellationToken)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = args =>
                {
                    metrics.SinkError();
                    var now = clock.GetUtcNow();
                    var error = args.Outcome.Exception?.Message ?? "";
                    _outage = _outage is null
                        ? new SinkErrorRow(_instance, now, now, 1, error)
                        : _outage with { EndedAt = now, FailedAttempts = _outage.FailedAttempts + 1, LastError = error };
                    Log.SinkRetry(logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message ?? "");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Batches taken from the input and encoded that wait for the write before them (0 or 1).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Writes the batches of <paramref name="input"/> in order, one at a time; the next batch is taken while the previous
    /// one is being written.
    /// </summary>
    public async Task RunAsync(
        ChannelReader<WindowBatch> input,
        ChannelWriter<IReadOnlyList<TopicPartitionOffset>> flushed,
        CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var writing = Task.CompletedTask;
        try
        {
            while (await WaitToReadAsync(input, writing, cancellationToken))
            {
                while (input.TryRead(out var batch))
                {
                    var encoded = EncodedBatch.Encode(batch, _topic);
                    Volatile.Write(ref _waiting, 1);
                    try
                    {
                        await writing;
                    }
                    catch
                    {
                        encoded.Dispose();
                        throw;
                    }

                    Volatile.Write(ref _waiting, 0);
                    writing = WriteAsync(encoded, flushed, cancellationToken);
                }
            }

            await writing;
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            flushed.TryComplete(failure);
        }
    }

    /// <summary>Waits for the next batch; a write that fails meanwhile throws here rather than when that batch arrives.</summary>
    private static async Task<bool> WaitToReadAsync(ChannelReader<WindowBatch> input, Task writing, CancellationToken cancellationToken)
    {
        var next = input.WaitToReadAsync(cancellationToken).AsTask();
        if (await Task.WhenAny(next, writing) == writing && !writing.IsCompletedSuccessfully)
        {
            await writing;
        }

        return await next;
    }

    private async Task WriteAsync(EncodedBatch batch, ChannelWriter<IReadOnlyList<TopicPartitionOffset>> flushed, CancellationToken cancellationToken)
    {
        using (batch)
        {
            var started = _clock.GetTimestamp();
            await _retry.ExecuteAsync(async ct => await WriteOnceAsync(batch, ct), cancellationToken);
            _metrics.Flushed(_clock.GetElapsedTime(started));
            await RecordOutageAsync(cancellationToken);
            flushed.TryWrite(batch.Offsets);
            batch.Handoffs.ForEach(h => h.TrySetResult());
        }
    }

    /// <summary>Records the failed attempts before the last write; a failure here is kept for the next batch.</summary>
    private async Task RecordOutageAsync(CancellationToken cancellationToken)
    {
        if (_outage is not { } outage)
        {
            return;
        }

        try
        {
            using var rows = RowBinaryRows.Encode("sink_errors", [outage with { EndedAt = _clock.GetUtcNow() }]);
            await _clickHouse.InsertAsync(rows, cancellationToken: cancellationToken);
            _outage = null;
        }
        catch (Exception ex) when (ClickHouseClient.IsTransient(ex, cancellationToken))
        {
            // ClickHouse went away again: the next successful batch records the whole outage.
        }
    }

    private async Task WriteOnceAsync(EncodedBatch batch, CancellationToken cancellationToken)
    {
        // Every table is keyed so that writing the same batch again converges (DESIGN.md §5.6): a retry after a
        // partial write is harmless. The tables of rows do not depend on each other and are written at once;
        // progress only after all of them are durable.
        await Task.WhenAll(batch.Rows.Select(rows => _clickHouse.InsertAsync(rows, cancellationToken: cancellationToken)));
        if (batch.Progress is { } progress)
        {
            await _clickHouse.InsertAsync(progress, cancellationToken: cancellationToken);
        }
    }
}
