using System.Diagnostics.Metrics;
using System.Net;
using System.Text;

namespace Metering.ClickHouse.Tests;

/// <summary>Retries, errors and request shape against a scripted HTTP handler (no server).</summary>
[TestFixture]
public sealed class ClickHouseClientRetryTests
{
    private const string TooManyQueries =
        "Code: 202, e.displayText() = DB::Exception: Too many simultaneous queries. Maximum: 100, e.what() = DB::Exception\n";

    private const string SyntaxError =
        "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1: SELEC 1. Expected one of: SELECT, e.what() = DB::Exception\n";

    [Test]
    public async Task ExecuteAsync_TransientErrorThenSuccess_RetriesUntilSuccess()
    {
        var handler = new ScriptedHandler(
            _ => Response(HttpStatusCode.InternalServerError, TooManyQueries),
            _ => Response(HttpStatusCode.InternalServerError, TooManyQueries),
            _ => Response(HttpStatusCode.OK, ""));
        var client = CreateClient(handler);

        await client.ExecuteAsync("OPTIMIZE TABLE rollups");

        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void ExecuteAsync_SyntaxError_ThrowsAtOnceWithCodeAndMessage()
    {
        var handler = new ScriptedHandler(_ => Response(HttpStatusCode.BadRequest, SyntaxError));
        var client = CreateClient(handler);

        var e = Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("SELEC 1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(handler.Requests, Has.Count.EqualTo(1));
            Assert.That(e.Code, Is.EqualTo(ClickHouseErrorCodes.SyntaxError));
            Assert.That(e.ServerMessage, Is.EqualTo("Syntax error: failed at position 1: SELEC 1. Expected one of: SELECT"));
            Assert.That(e.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(e.IsTransient, Is.False);
        }
    }

    [Test]
    public void ExecuteAsync_ConnectionRefused_RetriesThenThrowsHttpRequestException()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("Connection refused (127.0.0.1:1)"));
        var client = CreateClient(handler, maxRetryAttempts: 2);

        Assert.ThrowsAsync<HttpRequestException>(() => client.ExecuteAsync("SELECT 1"));

        Assert.That(handler.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void ExecuteAsync_ErrorInSuccessfulResponseBody_Throws()
    {
        var handler = new ScriptedHandler(_ => Response(HttpStatusCode.OK, "Code: 60, e.displayText() = DB::Exception: Table x.y doesn't exist., e.what() = DB::Exception"));
        var client = CreateClient(handler);

        var e = Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("INSERT INTO y SELECT 1"));

        Assert.That(e.Code, Is.EqualTo(ClickHouseErrorCodes.UnknownTable));
    }

    [Test]
    public async Task QueryAsync_WithOptions_SendsDatabaseQueryIdSettingsAndFormat()
    {
        var handler = new ScriptedHandler(_ => Response(HttpStatusCode.OK, "{\"s\":\"a\"}\n{\"s\":\"b\"}\n"));
        var client = CreateClient(handler);

        var rows = await client.QueryAsync(
            "SELECT s FROM t",
            TestJsonContext.Default.StringRow,
            new ClickHouseQueryOptions
            {
                QueryId = "q-1",
                Settings = new Dictionary<string, string> { ["max_execution_time"] = "5" },
            });

        var request = handler.Requests.Single();
        var query = System.Web.HttpUtility.ParseQueryString(request.Uri.Query);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows.Select(r => r.S), Is.EqualTo((string[])["a", "b"]));
            Assert.That(query["database"], Is.EqualTo("metering"));
            Assert.That(query["query_id"], Is.EqualTo("q-1"));
            Assert.That(query["max_execution_time"], Is.EqualTo("5"));
            Assert.That(query["output_format_json_quote_64bit_integers"], Is.EqualTo("0"));
            Assert.That(query["max_execution_time"], Is.EqualTo("5"), "a per-call setting overrides the default from RequestTimeout");
            Assert.That(request.Body, Is.EqualTo("SELECT s FROM t\nFORMAT JSONEachRow"));
            Assert.That(request.Authorization, Is.EqualTo("Basic " + Convert.ToBase64String("default:"u8.ToArray())));
        }
    }

    [Test]
    public async Task InsertAsync_Rows_StreamsJsonEachRowWithBestEffortTimes()
    {
        var handler = new ScriptedHandler(_ => Response(HttpStatusCode.OK, ""));
        var client = CreateClient(handler);

        var written = await client.InsertAsync("t", [new Rows.StringRow("x"), new Rows.StringRow("y'")], TestJsonContext.Default.StringRow);

        var request = handler.Requests.Single();
        var query = System.Web.HttpUtility.ParseQueryString(request.Uri.Query);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(2));
            Assert.That(query["query"], Is.EqualTo("INSERT INTO t FORMAT JSONEachRow"));
            Assert.That(query["date_time_input_format"], Is.EqualTo("best_effort"));
            Assert.That(request.Body, Is.EqualTo("{\"s\":\"x\"}\n{\"s\":\"y'\"}\n"));
        }
    }

    [Test]
    public void InsertAsync_InvalidTableName_ThrowsBeforeSending()
    {
        var handler = new ScriptedHandler();
        var client = CreateClient(handler);

        Assert.ThrowsAsync<ArgumentException>(
            () => client.InsertAsync("t; DROP TABLE x", [new Rows.StringRow("x")], TestJsonContext.Default.StringRow));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task ExecuteAsync_Recorded_EmitsOperationDurationWithSemconvAttributes()
    {
        var handler = new ScriptedHandler(
            _ => Response(HttpStatusCode.InternalServerError, TooManyQueries),
            _ => Response(HttpStatusCode.OK, ""));
        var client = CreateClient(handler);
        var measurements = new List<(double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Name: "db.client.operation.duration", Meter.Name: "Metering.ClickHouse" })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            // Other fixtures run in parallel through the same shared meter; keep this test's operation only.
            if (dictionary.GetValueOrDefault("db.operation.name") as string == "TRUNCATE")
            {
                lock (measurements)
                {
                    measurements.Add((value, dictionary));
                }
            }
        });
        listener.Start();

        await client.ExecuteAsync("TRUNCATE TABLE IF EXISTS t_metrics_probe");

        listener.Dispose();
        lock (measurements)
        {
            Assert.That(measurements, Has.Count.EqualTo(2));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(measurements.All(m => m.Value >= 0), Is.True);
                Assert.That(measurements[0].Tags["db.system.name"], Is.EqualTo("clickhouse"));
                Assert.That(measurements[0].Tags["db.response.status_code"], Is.EqualTo("202"));
                Assert.That(measurements[0].Tags["error.type"], Is.EqualTo(typeof(ClickHouseException).FullName));
                Assert.That(measurements[1].Tags.ContainsKey("error.type"), Is.False);
            }
        }
    }

    [TestCase("Code: 62, e.displayText() = DB::Exception: Syntax error: x, e.what() = DB::Exception", 62, "Syntax error: x")]
    [TestCase("Code: 60. DB::Exception: Table a.b does not exist. (UNKNOWN_TABLE) (version 23.8.1.1)", 60,
        "Table a.b does not exist. (UNKNOWN_TABLE) (version 23.8.1.1)")]
    [TestCase("<html>Bad gateway</html>", 0, "<html>Bad gateway</html>")]
    public void TryParse_ErrorBody_ReadsCodeAndMessage(string body, int code, string message)
    {
        var parsed = ClickHouseErrorCodes.TryParse(body, out var actualCode, out var actualMessage);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.EqualTo(code != 0));
            Assert.That(actualCode, Is.EqualTo(code));
            Assert.That(actualMessage, Is.EqualTo(message));
        }
    }

    [TestCase(202, 500, true)]
    [TestCase(252, 500, true)]
    [TestCase(159, 500, true)]
    [TestCase(62, 500, false)]
    [TestCase(60, 404, false)]
    [TestCase(0, 503, true)]
    [TestCase(0, 400, false)]
    public void IsTransient_Code_ClassifiesRetryableFailures(int code, int status, bool transient) =>
        Assert.That(ClickHouseErrorCodes.IsTransient(code, (HttpStatusCode)status), Is.EqualTo(transient));

    private static ClickHouseClient CreateClient(ScriptedHandler handler, int maxRetryAttempts = 3) =>
        new(new HttpClient(handler), new ClickHouseOptions
        {
            Url = "http://127.0.0.1:1",
            MaxRetryAttempts = maxRetryAttempts,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        });

    private static HttpResponseMessage Response(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };

    private sealed record RecordedRequest(Uri Uri, string Body, string? Authorization);

    /// <summary>Answers the n-th request with the n-th response (the last one repeats).</summary>
    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] responses) : HttpMessageHandler
    {
        private readonly List<RecordedRequest> _requests = [];

        public IReadOnlyList<RecordedRequest> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            int index;
            lock (_requests)
            {
                _requests.Add(new RecordedRequest(request.RequestUri!, body, request.Headers.Authorization?.ToString()));
                index = Math.Min(_requests.Count - 1, responses.Length - 1);
            }

            return responses[index](request);
        }
    }
}
