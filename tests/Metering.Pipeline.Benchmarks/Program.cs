// Pipeline throughput (make bench-pipeline): preloads N events into a topic of the development broker, times kcat (and a
// plain Confluent.Kafka consumer) reading it to the end, then one aggregator from process start until its progress rows in
// a private ClickHouse cover every offset, then a kill at the midpoint and the restart's time to catch up. Prints the
// figures and ends with one RESULT line.
#pragma warning disable RS0030 // A benchmark prints its figures to standard output.
using System.Globalization;
using System.Runtime.InteropServices;
using Metering.Pipeline.Benchmarks;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchmarkOptions.Parse(args);
using var stop = new CancellationTokenSource();
void Cancel(PosixSignalContext context)
{
    // Unwind instead of dying, so that every process the benchmark started is stopped and its data removed.
    context.Cancel = true;
    stop.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
try
{
    await PipelineBenchmark.RunAsync(options, stop.Token);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("bench-pipeline: cancelled; stopped everything it started.");
    return 130;
}
