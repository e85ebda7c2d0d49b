// Query latency (make bench-query): loads a month of hourly rollups (1,000 accounts x 20 subjects x 3 meters x 30 days x
// 8 active hours by default, about 14 million rows) into the aggregator's own tables of a private ClickHouse, starts the
// query service and times the monthly report, usage by day of one account and the subjects of one account over HTTP.
// Prints the figures and ends with one RESULT line.
using Metering.Query.Benchmarks;
using Metering.Testing;

var options = BenchmarkOptions.Parse(args);
return await BenchmarkRun.RunAsync("bench-query", cancellationToken => QueryBenchmark.RunAsync(options, cancellationToken));
