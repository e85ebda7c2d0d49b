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

    public async Task RunAsync(
        ChannelReader<WindowBatch> input,
        ChannelWriter<IReadOnlyList<TopicPartitionOffset>> flushed,
        CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await foreach (var batch in input.ReadAllAsync(cancellationToken))
            {
                var started = _clock.GetTimestamp();
                await _retry.ExecuteAsync(async ct => await WriteAsync(batch, ct), cancellationToken);
                _metrics.Flushed(_clock.GetElapsedTime(started));
                await RecordOutageAsync(cancellationToken);
                flushed.TryWrite(batch.Progress
                    .Select(p => new TopicPartitionOffset(_topic, p.KafkaPartition, (long)p.NextOffset))
                    .ToList());
                batch.Handoffs.ForEach(h => h.TrySetResult());
            }
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

    /// <summary>Records the failed attempts before the last write; a failure here is kept for the next batch.</summary>
    private async Task RecordOutageAsync(CancellationToken cancellationToken)
    {
        if (_outage is not { } outage)
        {
            return;
        }

        try
        {
            await _clickHouse.InsertAsync("sink_errors", [outage with { EndedAt = _clock.GetUtcNow() }],
                StorageJsonContext.Default.SinkErrorRow, cancellationToken: cancellationToken);
            _outage = null;
        }
        catch (Exception ex) when (ClickHouseClient.IsTransient(ex, cancellationToken))
        {
            // ClickHouse went away again: the next successful batch records the whole outage.
        }
    }

    private async Task WriteAsync(WindowBatch batch, CancellationToken cancellationToken)
    {
        // Every table is keyed so that writing the same batch again converges (DESIGN.md §5.6): a
        // retry after a partial write is harmless. Raw events first, progress last.
        if (batch.Events.Count > 0)
        {
            await _clickHouse.InsertAsync("usage_events", batch.Events, StorageJsonContext.Default.UsageEventRow, cancellationToken: cancellationToken);
        }

        if (batch.Rollups.Count > 0)
        {
            await _clickHouse.InsertAsync("rollups", batch.Rollups, StorageJsonContext.Default.RollupRow, cancellationToken: cancellationToken);
        }

        if (batch.Adjustments.Count > 0)
        {
            await _clickHouse.InsertAsync("adjustments", batch.Adjustments, StorageJsonContext.Default.AdjustmentRow, cancellationToken: cancellationToken);
        }

        if (batch.DeadLetters.Count > 0)
        {
            await _clickHouse.InsertAsync("dead_letters", batch.DeadLetters, StorageJsonContext.Default.DeadLetterRow, cancellationToken: cancellationToken);
        }

        if (batch.Progress.Count > 0)
        {
            await _clickHouse.InsertAsync("progress", batch.Progress, StorageJsonContext.Default.ProgressRow, cancellationToken: cancellationToken);
        }
    }
}
