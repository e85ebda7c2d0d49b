#pragma warning disable RS0030 // A benchmark prints its figures to standard output.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Metering.ClickHouse;
using Metering.Testing;

namespace Metering.Query.Benchmarks;

/// <summary>The phases of <c>make bench-query</c>; every process it starts is stopped again, also on failure.</summary>
internal static class QueryBenchmark
{
    /// <summary>The query service's default <c>Kafka:Topic</c>: the topic whose progress rows decide finality.</summary>
    private const string Topic = "usage-events";

    private const string FinanceKey = "bench-query-finance-key-0123456789";
    private const string AdminKey = "bench-query-admin-key-0123456789";
    private const string Range = "from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z";

    /// <summary>The per-account reports rotate over this many accounts, acct-0421 first.</summary>
    private const int RotatedAccounts = 10;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static async Task RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var clickHouseStart = Task.Run(ClickHouseServer.GetAsync, cancellationToken);
        try
        {
            var clickHouse = await clickHouseStart;
            await using var database = await clickHouse.CreateDatabaseAsync("bench_query", cancellationToken);
            using var clickHouseHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var loadOptions = clickHouse.CreateOptions(database.Name);
            loadOptions.RequestTimeout = TimeSpan.FromMinutes(10); // OPTIMIZE … FINAL of 14 M rows: a while on 2 busy cores
            var loader = new RollupLoader(new ClickHouseClient(clickHouseHttp, loadOptions), options);
            Console.WriteLine(
                $"bench-query: {loader.Rows:N0} rollups = {options.Accounts:N0} accounts x {options.Subjects} subjects "
                + $"({loader.Teams} teams an account) x {RollupLoader.MeterCount} meters x {options.Days} days x {options.Hours} "
                + $"active hours of {RollupLoader.Month}; {options.WarmUp} untimed and {options.Requests} timed requests per report");
            Console.WriteLine(
                $"clickhouse: {(clickHouse.IsLocal ? "private server" : "external server")} at {clickHouse.Url}, database {database.Name}, "
                + "migrations applied");
            await LoadAsync(loader, cancellationToken);

            await using var service = ServiceProcess.Start("Metering.Query", new Dictionary<string, string>
            {
                ["ClickHouse__Url"] = clickHouse.Url.ToString(),
                ["ClickHouse__Database"] = database.Name,
                ["ClickHouse__ApplyMigrations"] = "false",
                // The first monthly report folds every rollup of the month: tens of seconds on a loaded machine.
                ["ClickHouse__RequestTimeout"] = "00:05:00",
                ["Kafka__Topic"] = Topic,
                ["Auth__Keys__0__Key"] = FinanceKey,
                ["Auth__Keys__0__Role"] = "finance",
                ["Auth__Keys__1__Key"] = AdminKey,
                ["Auth__Keys__1__Role"] = "admin",
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await service.WaitReadyAsync(StartTimeout);
            Console.WriteLine($"query service: ready at {service.Url} (Release build, pid {service.ProcessId})");

            // One keep-alive connection: each request is timed alone, as a client of the service sees it.
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 })
            {
                BaseAddress = new Uri(service.Url),
                Timeout = TimeSpan.FromMinutes(5),
            };
            var accounts = Enumerable.Range(0, RotatedAccounts)
                .Select(k => loader.Account((421 + (k * 97)) % options.Accounts))
                .Distinct()
                .ToList();
            var requestTotals = await loader.RequestTotalsAsync(accounts, cancellationToken);
            Task<PhaseCounters> Counters() => PhaseCounters.ReadAsync(http, service.ProcessId, loader.ClickHouse, cancellationToken);

            Console.WriteLine($"load average before timing: {LoadAverage()}");
            var monthly = await MonthlyAsync(http, Counters, options, loader, requestTotals[""], cancellationToken);
            var usage = await UsageAsync(http, Counters, options, accounts, requestTotals, cancellationToken);
            var subjects = await SubjectsAsync(http, Counters, options, accounts, cancellationToken);
            Console.WriteLine($"load average after timing: {LoadAverage()}");

            Console.WriteLine(
                FormattableString.Invariant($"RESULT monthly_p50_ms={monthly.P50:F1} monthly_p99_ms={monthly.P99:F1} ")
                + FormattableString.Invariant($"usage_p50_ms={usage.P50:F1} subjects_p50_ms={subjects.P50:F1}"));
        }
        finally
        {
            if (clickHouseStart.IsCompleted || !cancellationToken.IsCancellationRequested)
            {
                await ClickHouseServer.DisposeIfStartedAsync();
            }
        }
    }

    private static async Task LoadAsync(RollupLoader loader, CancellationToken cancellationToken)
    {
        var load = await loader.LoadAsync(cancellationToken);
        var (rows, parts) = await loader.CountAsync(cancellationToken);
        Expect(rows == (ulong)loader.Rows, $"rollups holds {rows:N0} rows after the load, not {loader.Rows:N0}");
        Console.WriteLine(
            $"load: {rows:N0} rows into rollups with INSERT … SELECT … FROM numbers (one a day) in {load.TotalSeconds:F1} s "
            + $"({rows / load.TotalSeconds:N0} rows/s), {parts} parts");

        var optimize = await loader.OptimizeAsync(cancellationToken);
        (rows, parts) = await loader.CountAsync(cancellationToken);
        Expect(rows == (ulong)loader.Rows, $"rollups holds {rows:N0} rows after OPTIMIZE, not {loader.Rows:N0}");
        Console.WriteLine(
            $"optimize: OPTIMIZE TABLE rollups FINAL in {optimize.TotalSeconds:F1} s (after the merges ClickHouse started itself), "
            + $"now {parts} part(s) of {rows:N0} rows, as a table merged in the background over a month would be");

        var watermark = await loader.WriteProgressAsync(Topic, cancellationToken);
        Console.WriteLine(
            $"progress: {RollupLoader.Partitions} partitions of topic {Topic} with watermark {watermark:yyyy-MM-ddTHH:mm:ssZ}, "
            + $"so every window of {RollupLoader.Month} is final");
    }

    /// <summary>
    /// The monthly report of all accounts: the first call folds every rollup and keeps the month's totals (cold), the
    /// timed ones read the kept totals. Every answer must be final, hold every account × team × meter, count every
    /// request that was loaded and carry the same checksum.
    /// </summary>
    private static async Task<Latencies> MonthlyAsync(
        HttpClient http, Func<Task<PhaseCounters>> counters, BenchmarkOptions options, RollupLoader loader, double requestTotal,
        CancellationToken cancellationToken)
    {
        var path = $"/v1/reports/monthly?month={RollupLoader.Month}";
        var expectedRows = options.Accounts * loader.Teams * RollupLoader.MeterCount;
        string Check(Answer answer)
        {
            using var document = Parse(answer, path);
            var root = document.RootElement;
            var rows = root.GetProperty("rows");
            Expect(root.GetProperty("status").GetString() == "final", $"{path} answered status {root.GetProperty("status")}, not final");
            Expect(rows.GetArrayLength() == expectedRows, $"{path} answered {rows.GetArrayLength()} rows, not {expectedRows:N0}");
            var requests = rows.EnumerateArray().Where(r => r.GetProperty("meter").GetString() == "api_requests")
                .Sum(r => r.GetProperty("value").GetDouble());
            Expect(requests == requestTotal, $"{path} counts {requests:N0} api requests, the rollups {requestTotal:N0}");
            return root.GetProperty("checksum").GetString()!;
        }

        var beforeCold = await counters();
        var cold = await GetAsync(http, path, FinanceKey, cancellationToken);
        var checksum = Check(cold);
        var afterCold = await counters();
        Console.WriteLine(
            $"monthly report (all accounts), cold: {cold.Elapsed.TotalMilliseconds:F0} ms, {expectedRows:N0} rows, "
            + $"{cold.Body.Length:N0} bytes, final, {checksum[..19]}…; "
            + "folds every rollup once and keeps the month's totals in monthly_totals");
        Console.WriteLine($"  where the time went: {afterCold.Since(beforeCold, 1)}");

        async Task<TimeSpan> RequestAsync(int i)
        {
            var answer = await GetAsync(http, path, FinanceKey, cancellationToken);
            Expect(Check(answer) == checksum, $"{path} answered another checksum than the cold report");
            return answer.Elapsed;
        }

        var warmUp = await SeriesAsync(options.WarmUp, RequestAsync);
        PrintWarmUp("monthly report (all accounts)", warmUp);
        var before = await counters();
        var latencies = await SeriesAsync(options.Requests, RequestAsync);
        var after = await counters();
        Console.WriteLine($"monthly report (all accounts), kept totals: {latencies}; same rows and checksum as cold");
        Console.WriteLine($"  where the time went: {after.Since(before, options.Requests)}");
        return latencies;
    }

    /// <summary>api_requests by DAY for one account over the month, rotating over accounts: one final row a loaded day.</summary>
    private static async Task<Latencies> UsageAsync(
        HttpClient http, Func<Task<PhaseCounters>> counters, BenchmarkOptions options, List<string> accounts,
        IReadOnlyDictionary<string, double> requestTotals, CancellationToken cancellationToken)
    {
        static string PathOf(string account) => $"/v1/meters/api_requests/usage?account={account}&{Range}&windowSize=DAY";
        void Check(Answer answer, string account)
        {
            var path = PathOf(account);
            using var document = Parse(answer, path);
            var data = document.RootElement.GetProperty("data");
            Expect(data.GetArrayLength() == options.Days,
                $"{path} answered {data.GetArrayLength()} rows, not one for each of {options.Days} days");
            Expect(data.EnumerateArray().All(r => r.GetProperty("status").GetString() == "final"),
                $"{path} answered rows that are not final");
            var total = data.EnumerateArray().Sum(r => r.GetProperty("value").GetDouble());
            Expect(total == requestTotals[account], $"{path} counts {total:N0} requests, the rollups {requestTotals[account]:N0}");
        }

        var (latencies, clickHouse) = await TimeAsync(
            http, counters, options, accounts, PathOf, AdminKey, Check, "usage by DAY of one account", cancellationToken);
        Console.WriteLine($"usage by DAY of one account (api_requests, {accounts.Count} accounts in turn): {latencies}");
        Console.WriteLine($"  where the time went: {clickHouse}");
        return latencies;
    }

    /// <summary>The subjects of one account over the month, rotating over accounts; NaN when this build has no such endpoint.</summary>
    private static async Task<Latencies> SubjectsAsync(
        HttpClient http, Func<Task<PhaseCounters>> counters, BenchmarkOptions options, List<string> accounts,
        CancellationToken cancellationToken)
    {
        static string PathOf(string account) => $"/v1/accounts/{account}/subjects?{Range}";
        var probe = await GetAsync(http, PathOf(accounts[0]), AdminKey, cancellationToken);
        if (probe.Status == HttpStatusCode.NotFound)
        {
            Console.WriteLine($"subjects of one account: GET {PathOf(accounts[0])} answered 404: the endpoint is missing in this build, "
                + "so subjects_p50_ms=NaN");
            return new Latencies();
        }

        void Check(Answer answer, string account)
        {
            var path = PathOf(account);
            using var document = Parse(answer, path);
            var root = document.RootElement;
            // The list itself, or the first list in the answer object (e.g. "subjects").
            var list = root.ValueKind == JsonValueKind.Array
                ? root
                : root.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.Array);
            Expect(list.ValueKind == JsonValueKind.Array, $"{path} answered no list of subjects: {Shorten(answer.Body)}");
            Expect(list.GetArrayLength() == options.Subjects, $"{path} answered {list.GetArrayLength()} subjects, not {options.Subjects}");
        }

        Check(probe, accounts[0]);
        var (latencies, clickHouse) = await TimeAsync(
            http, counters, options, accounts, PathOf, AdminKey, Check, "subjects of one account", cancellationToken);
        Console.WriteLine($"subjects of one account ({accounts.Count} accounts in turn): {latencies}");
        Console.WriteLine($"  where the time went: {clickHouse}");
        return latencies;
    }

    /// <summary>
    /// A first request (its time printed), the untimed warm-up ones, then the timed ones, each checked, the account
    /// changing with every request; also where the time of the timed ones went.
    /// </summary>
    private static async Task<(Latencies Latencies, string ClickHouse)> TimeAsync(
        HttpClient http, Func<Task<PhaseCounters>> counters, BenchmarkOptions options, List<string> accounts,
        Func<string, string> pathOf, string key, Action<Answer, string> check, string name, CancellationToken cancellationToken)
    {
        async Task<TimeSpan> RequestAsync(int i)
        {
            var account = accounts[i % accounts.Count];
            var answer = await GetAsync(http, pathOf(account), key, cancellationToken);
            check(answer, account);
            return answer.Elapsed;
        }

        Console.WriteLine($"{name}, first request: {(await RequestAsync(0)).TotalMilliseconds:F1} ms");
        PrintWarmUp(name, await SeriesAsync(options.WarmUp, i => RequestAsync(i + 1)));
        var before = await counters();
        var latencies = await SeriesAsync(options.Requests, RequestAsync);
        var after = await counters();
        return (latencies, after.Since(before, options.Requests));
    }

    /// <summary><paramref name="count"/> requests one after the other; their latencies.</summary>
    private static async Task<Latencies> SeriesAsync(int count, Func<int, Task<TimeSpan>> requestAsync)
    {
        var latencies = new Latencies();
        for (var i = 0; i < count; i++)
        {
            latencies.Add(await requestAsync(i));
        }

        return latencies;
    }

    /// <summary>
    /// The warm-up requests are not part of the result: a service just started still compiles its hot paths (tiered JIT),
    /// which takes many requests on 2 busy cores and costs them more CPU than the report itself.
    /// </summary>
    private static void PrintWarmUp(string name, Latencies warmUp)
    {
        if (warmUp.Count > 0)
        {
            Console.WriteLine($"{name}, warm-up of the just-started service, untimed: {warmUp}");
        }
    }

    /// <summary>One GET, timed from sending the request until the whole body is read.</summary>
    private static async Task<Answer> GetAsync(HttpClient http, string path, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new Answer(response.StatusCode, body, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The body of a 200 answer as JSON; anything else fails the run, so no error answer is ever timed as a result.</summary>
    private static JsonDocument Parse(Answer answer, string path)
    {
        Expect(answer.Status == HttpStatusCode.OK, $"GET {path} answered {(int)answer.Status}: {Shorten(answer.Body)}");
        return JsonDocument.Parse(answer.Body);
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException("bench-query: " + failure);
        }
    }

    private static string Shorten(byte[] body) => Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 500)));

    /// <summary>The 1, 5 and 15 minute load averages of the machine (2 cores, shared).</summary>
    private static string LoadAverage()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return string.Create(CultureInfo.InvariantCulture, $"{fields[0]} {fields[1]} {fields[2]} ({Environment.ProcessorCount} cores)");
    }

    private sealed record Answer(HttpStatusCode Status, byte[] Body, TimeSpan Elapsed);
}
