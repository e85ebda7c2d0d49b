// Query latency (make bench-query): loads a month of hourly rollups (1,000 accounts x 20 subjects x 3 meters x 30 days x
// 8 active hours by default, about 14 million rows) into the aggregator's own tables of a private ClickHouse, starts the
// query service and times the monthly report, usage by day of one account and the subjects of one account over HTTP.
// Prints the figures and ends with one RESULT line.
#pragma warning disable RS0030 // A benchmark prints its figures to standard output.
using System.Globalization;
using System.Runtime.InteropServices;
using Metering.Query.Benchmarks;

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
    await QueryBenchmark.RunAsync(options, stop.Token);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("bench-query: cancelled; stopped everything it started.");
    return 130;
}
