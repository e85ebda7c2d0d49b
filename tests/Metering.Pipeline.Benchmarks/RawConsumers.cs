using System.Diagnostics;
using Confluent.Kafka;

namespace Metering.Pipeline.Benchmarks;

/// <summary>The baselines: reading the whole topic to its end with no processing at all.</summary>
internal static class RawConsumers
{
    private static readonly string[] KcatPaths = ["/usr/bin/kcat", "/usr/local/bin/kcat"];

    /// <summary>
    /// <c>kcat -C -e -o beginning -q</c> over every partition, output to <c>/dev/null</c>; null when kcat is not installed.
    /// </summary>
    public static async Task<TimeSpan?> KcatAsync(string bootstrapServers, string topic, CancellationToken cancellationToken)
    {
        var kcat = KcatPaths.FirstOrDefault(File.Exists);
        if (kcat is null)
        {
            return null;
        }

        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", "exec \"$0\" -C -b \"$1\" -t \"$2\" -o beginning -e -q >/dev/null", kcat, bootstrapServers, topic },
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start kcat.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        clock.Stop();
        return process.ExitCode == 0
            ? clock.Elapsed
            : throw new InvalidOperationException($"kcat exited with code {process.ExitCode}: {await stderr}");
    }

    /// <summary>
    /// A plain Confluent.Kafka consumer assigned every partition from the beginning, until each reports its end. It
    /// fetches as the aggregator's consumer does: the value and key only (no headers, timestamps or topic name copied).
    /// </summary>
    public static TimeSpan DotNet(string bootstrapServers, string topic, IReadOnlyList<long> endOffsets, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bench-raw-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            SocketNagleDisable = true,
            ConsumeResultFields = "none",
        };
        var clock = Stopwatch.StartNew();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Assign(endOffsets.Select((_, p) => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var atEnd = new HashSet<int>();
        var records = 0L;
        while (atEnd.Count < endOffsets.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else
            {
                records++;
            }
        }

        clock.Stop();
        consumer.Close();
        var expected = endOffsets.Sum();
        return records == expected
            ? clock.Elapsed
            : throw new InvalidOperationException($"The raw consumer read {records:N0} records, not {expected:N0}.");
    }
}
