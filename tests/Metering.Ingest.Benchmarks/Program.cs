// Ingest throughput (make bench-ingest): N events, B per request, over C keep-alive connections to a
// gateway process, and the same payloads produced straight to the same broker with a plain
// Confluent.Kafka producer. Prints the figures and ends with one RESULT line.
#pragma warning disable RS0030 // A benchmark prints its figures to standard output.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Confluent.Kafka;
using Metering.Ingest.Benchmarks;
using Metering.Kafka;
using Metering.Kafka.DevBroker;

var options = BenchmarkOptions.Parse(args);
const string GatewayTopic = "bench-gateway";
const string RawTopic = "bench-raw";
const string Key = "bench-ingest-key-0123456789";
Console.WriteLine($"bench-ingest: {options.Events:N0} events, {options.Batch} per request, concurrency {options.Concurrency}");

await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions
{
    Topics = [new MockKafkaTopic(GatewayTopic, 8), new MockKafkaTopic(RawTopic, 8)],
});
var now = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
var events = Enumerable.Range(0, options.Events).Select(i => Payloads.Event(i, now)).ToList();
var bodies = Payloads.Bodies(events, options.Batch);
Console.WriteLine($"payload: {events.Average(e => e.Length):F0} bytes an event, {bodies.Count:N0} requests");

using var gateway = GatewayProcess.Start(cluster.BootstrapServers, GatewayTopic, Key);
await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency })
{
    BaseAddress = new Uri(gateway.Url),
    Timeout = TimeSpan.FromMinutes(2),
};
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

async Task<(int Accepted, double Milliseconds)> PostAsync(byte[] body)
{
    using var content = new ByteArrayContent(body);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents-batch+json");
    var started = Stopwatch.GetTimestamp();
    using var response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
    var text = await response.Content.ReadAsStringAsync();
    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"gateway answered {(int)response.StatusCode}: {text}");
    }

    var accepted = int.Parse(text.AsSpan(text.IndexOf(':') + 1, text.IndexOf(',') - text.IndexOf(':') - 1), CultureInfo.InvariantCulture);
    return (accepted, elapsed);
}

// Warm-up, not counted: connections, producer metadata and the JIT. A server is measured at its sustained rate, not
// while its hot paths are still being compiled (on two cores that takes seconds), so the gateway is sent the same
// requests at the same concurrency for a while first; the plain producer, one loop, gets its own warm-up below.
var warmUp = Stopwatch.StartNew();
var warmUpRequests = -1;
await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
{
    while (warmUp.Elapsed < TimeSpan.FromSeconds(options.WarmUpSeconds) || warmUpRequests < 20)
    {
        await PostAsync(bodies[Interlocked.Increment(ref warmUpRequests) % bodies.Count]);
    }
}));
Console.WriteLine($"warm-up: {warmUpRequests + 1:N0} requests in {warmUp.Elapsed.TotalSeconds:F1} s");

var latencies = new double[bodies.Count];
var acceptedTotal = 0L;
var next = -1;
var gatewayCpuBefore = gateway.ProcessorTime;
var gatewayClock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < bodies.Count)
    {
        var (accepted, milliseconds) = await PostAsync(bodies[i]);
        latencies[i] = milliseconds;
        Interlocked.Add(ref acceptedTotal, accepted);
    }
}));
gatewayClock.Stop();
var gatewayCpu = gateway.ProcessorTime - gatewayCpuBefore;
if (acceptedTotal != options.Events)
{
    throw new InvalidOperationException($"The gateway accepted {acceptedTotal} of {options.Events} events.");
}

var gatewayEps = options.Events / gatewayClock.Elapsed.TotalSeconds;
Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
Console.WriteLine($"gateway: {options.Events:N0} events in {gatewayClock.Elapsed.TotalSeconds:F2} s = {gatewayEps:N0} events/s; "
    + $"request latency p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms; "
    + $"gateway CPU {gatewayCpu.TotalSeconds:F2} s = {gatewayCpu.TotalMicroseconds / options.Events:F1} µs an event");

// The same payloads straight to the broker, with the gateway's own producer settings.
var producerConfig = new KafkaOptions { BootstrapServers = cluster.BootstrapServers }.CreateProducerConfig();
using var producer = new ProducerBuilder<string, byte[]>(producerConfig).Build();
var failed = 0L;
void ProduceAll(int count)
{
    for (var i = 0; i < count; i++)
    {
        while (true)
        {
            try
            {
                producer.Produce(RawTopic, new Message<string, byte[]> { Key = Payloads.AccountOf(i), Value = events[i] },
                    report => { if (report.Error.IsError) Interlocked.Increment(ref failed); });
                break;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    producer.Flush(TimeSpan.FromMinutes(5));
}

ProduceAll(Math.Min(events.Count, 100_000)); // warm-up, not counted
var rawClock = Stopwatch.StartNew();
ProduceAll(events.Count);
rawClock.Stop();
if (failed > 0)
{
    throw new InvalidOperationException($"{failed} raw produces failed.");
}

var rawEps = options.Events / rawClock.Elapsed.TotalSeconds;
Console.WriteLine($"raw producer: {options.Events:N0} events in {rawClock.Elapsed.TotalSeconds:F2} s = {rawEps:N0} events/s");
Console.WriteLine(FormattableString.Invariant(
    $"RESULT gateway_eps={gatewayEps:F0} raw_eps={rawEps:F0} ratio={gatewayEps / rawEps:F2} p50_ms={Percentile(0.50):F1} p99_ms={Percentile(0.99):F1}"));
