// Pipeline throughput (make bench-pipeline): preloads N events into a topic of the development broker, times kcat (and a
// plain Confluent.Kafka consumer) reading it to the end, then one aggregator from process start until its progress rows in
// a private ClickHouse cover every offset, then a kill at the midpoint and the restart's time to catch up. Prints the
// figures and ends with one RESULT line.
using Metering.Pipeline.Benchmarks;
using Metering.Testing;

var options = BenchmarkOptions.Parse(args);
return await BenchmarkRun.RunAsync("bench-pipeline", cancellationToken => PipelineBenchmark.RunAsync(options, cancellationToken));
