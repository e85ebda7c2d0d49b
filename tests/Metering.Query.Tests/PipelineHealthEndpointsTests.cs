using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// <c>GET /v1/pipeline/health</c> against rows written into the aggregator's tables as the aggregator writes them;
/// each test starts from empty tables.
/// </summary>
[Integration]
public sealed class PipelineHealthEndpointsTests
{
    private const string Topic = "usage-events-health";
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset DefaultSince = Now - TimeSpan.FromHours(24);

    private QueryService _service = null!;
    private PipelineTables _tables = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _service = await QueryService.StartAsync(new FixedClock(Now), new Dictionary<string, string> { ["Kafka:Topic"] = Topic });
        _tables = new PipelineTables(_service.Database.Client, Topic);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [SetUp]
    public Task EmptyTablesAsync() => _tables.TruncateAsync();

    [Test]
    public async Task Get_EmptyDatabase_AnswersZerosAndNulls()
    {
        var text = await GetOkAsync();

        Assert.That(text, Is.EqualTo(
            $$"""{"topic":"{{Topic}}","since":"2026-11-19T12:00:00Z","partitions":[],"duplicateRate":0,"attributionSuccess":null,"""
            + "\"lateEvents\":0,\"finalizationDrift\":null,\"sinkErrors\":0,\"deadLetters\":0}"));
    }

    [Test]
    public async Task Get_Partitions_AnswerLagWatermarkAndLastProgressOfTheLatestRow()
    {
        var watermark = new DateTimeOffset(2026, 11, 20, 11, 59, 0, 123, TimeSpan.Zero);
        await _tables.ProgressAsync(2, nextOffset: 40, watermark.ToUnixTimeMilliseconds() - 60_000, logEndOffset: 90, Now.AddMinutes(-2));
        await _tables.ProgressAsync(2, nextOffset: 100, watermark.ToUnixTimeMilliseconds(), logEndOffset: 105, Now.AddSeconds(-1));
        await _tables.ProgressAsync(0, nextOffset: 0, long.MinValue, logEndOffset: 0, Now.AddSeconds(-3));
        await _tables.ProgressAsync(1, nextOffset: 7, watermark.ToUnixTimeMilliseconds(), logEndOffset: 5, Now.AddDays(-3));
        await _tables.ProgressAsync(0, nextOffset: 999, 0, logEndOffset: 1000, Now, topicName: "other-topic");

        using var body = JsonDocument.Parse(await GetOkAsync());

        Assert.That(body.RootElement.GetProperty("partitions").GetRawText(), Is.EqualTo(
            """[{"partition":0,"lag":0,"watermark":null,"lastProgressAt":"2026-11-20T11:59:57Z"},"""
            + """{"partition":1,"lag":0,"watermark":"2026-11-20T11:59:00.123Z","lastProgressAt":"2026-11-17T12:00:00Z"},"""
            + """{"partition":2,"lag":5,"watermark":"2026-11-20T11:59:00.123Z","lastProgressAt":"2026-11-20T11:59:59Z"}]"""));
    }

    [Test]
    public async Task Get_Events_DuplicateRateAndAttributionSuccessOverRecordsIngestedSince()
    {
        var inWindow = Now.AddHours(-1);
        await _tables.EventAsync(0, 1, inWindow);
        await _tables.EventAsync(0, 2, inWindow, team: "ml");
        await _tables.EventAsync(0, 3, inWindow, team: "unassigned");
        await _tables.EventAsync(1, 1, DefaultSince);
        await _tables.EventAsync(1, 2, inWindow, duplicate: true);
        await _tables.EventAsync(0, 1, inWindow); // a replay wrote the record again
        await _tables.EventAsync(1, 2, inWindow, duplicate: true);
        await _tables.EventAsync(2, 1, DefaultSince.AddSeconds(-1), duplicate: true);
        await _tables.EventAsync(2, 2, DefaultSince.AddSeconds(-1), team: "unassigned");

        using var body = JsonDocument.Parse(await GetOkAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.RootElement.GetProperty("duplicateRate").GetDouble(), Is.EqualTo(1.0 / 5));
            Assert.That(body.RootElement.GetProperty("attributionSuccess").GetDouble(), Is.EqualTo(3.0 / 4));
        }
    }

    [Test]
    public async Task Get_OnlyDuplicates_AttributionSuccessIsNull()
    {
        await _tables.EventAsync(0, 1, Now.AddHours(-1), duplicate: true);

        using var body = JsonDocument.Parse(await GetOkAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.RootElement.GetProperty("duplicateRate").GetDouble(), Is.EqualTo(1.0));
            Assert.That(body.RootElement.GetProperty("attributionSuccess").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [Test]
    public async Task Get_LateEvents_CountsDistinctEventsReceivedSinceOnceWhateverTheMeters()
    {
        var window = new DateTimeOffset(2026, 11, 17, 10, 0, 0, TimeSpan.Zero);
        await _tables.AdjustmentAsync("api_requests", 0, 10, window, Now.AddHours(-2));
        await _tables.AdjustmentAsync("tokens", 0, 10, window, Now.AddHours(-2));
        await _tables.AdjustmentAsync("api_requests", 0, 10, window, Now.AddHours(-2)); // replayed
        await _tables.AdjustmentAsync("api_requests", 1, 10, window, DefaultSince);
        await _tables.AdjustmentAsync("api_requests", 0, 11, window, DefaultSince.AddSeconds(-1));

        using var body = JsonDocument.Parse(await GetOkAsync());

        Assert.That(body.RootElement.GetProperty("lateEvents").GetUInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task Get_FinalizationDrift_AdjustmentsOverFinalEventsOfWindowsFinalizedSince()
    {
        var finalizedInWindow = Now.AddHours(-3);
        var window = new DateTimeOffset(2026, 11, 18, 7, 0, 0, TimeSpan.Zero);
        // Window 07:00 of partition 0 became final 3 h ago: its provisional row is replaced by the final one.
        await _tables.RollupAsync("api_requests", 0, window, eventCount: 5, lastOffset: 10);
        await _tables.RollupAsync("api_requests", 0, window, eventCount: 8, lastOffset: 20, finalizedInWindow);
        await _tables.RollupAsync("tokens", 0, window, eventCount: 2, lastOffset: 20, finalizedInWindow);
        await _tables.RollupAsync("tokens", 0, window, eventCount: 2, lastOffset: 20, finalizedInWindow); // replayed
        // Still provisional: neither in the total nor the drift.
        await _tables.RollupAsync("api_requests", 0, Now.AddHours(-2), eventCount: 100, lastOffset: 30);
        // Window 07:00 of partition 1 was final before since: left out, with its adjustment.
        await _tables.RollupAsync("api_requests", 1, window, eventCount: 50, lastOffset: 5, DefaultSince.AddSeconds(-1));
        await _tables.AdjustmentAsync("api_requests", 1, 9, window, Now.AddHours(-1));
        // One late event for both meters and one for api_requests only, one of them written twice.
        await _tables.AdjustmentAsync("api_requests", 0, 40, window, Now.AddHours(-1));
        await _tables.AdjustmentAsync("tokens", 0, 40, window, Now.AddHours(-1));
        await _tables.AdjustmentAsync("api_requests", 0, 41, window, Now.AddHours(-1));
        await _tables.AdjustmentAsync("api_requests", 0, 41, window, Now.AddHours(-1));

        using var body = JsonDocument.Parse(await GetOkAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.RootElement.GetProperty("finalizationDrift").GetDouble(), Is.EqualTo(3.0 / 10));
            Assert.That(body.RootElement.GetProperty("lateEvents").GetUInt64(), Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Get_SinkErrorsAndDeadLetters_CountWhatEndedOrArrivedSince()
    {
        await _tables.SinkErrorAsync(Now.AddHours(-2), Now.AddHours(-2).AddSeconds(30), failedAttempts: 3);
        await _tables.SinkErrorAsync(DefaultSince.AddMinutes(-5), DefaultSince, failedAttempts: 4);
        await _tables.SinkErrorAsync(DefaultSince.AddMinutes(-5), DefaultSince.AddSeconds(-1), failedAttempts: 10);
        await _tables.DeadLetterAsync(0, 5, Now.AddHours(-1));
        await _tables.DeadLetterAsync(0, 5, Now.AddHours(-1)); // replayed
        await _tables.DeadLetterAsync(3, 1, DefaultSince);
        await _tables.DeadLetterAsync(3, 0, DefaultSince.AddSeconds(-1));
        await _tables.DeadLetterAsync(0, 6, Now.AddHours(-1), topicName: "other-topic");

        using var body = JsonDocument.Parse(await GetOkAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.RootElement.GetProperty("sinkErrors").GetUInt64(), Is.EqualTo(7));
            Assert.That(body.RootElement.GetProperty("deadLetters").GetUInt64(), Is.EqualTo(2));
        }
    }

    [TestCase("2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", 1UL)]
    [TestCase("2026-11-20T09:59:59.001Z", "2026-11-20T09:59:59.001Z", 1UL)]
    [TestCase("2026-11-20T09:59:59Z", "2026-11-20T09:59:59Z", 2UL)]
    [TestCase("2026-11-20T11:00:00+02:00", "2026-11-20T09:00:00Z", 3UL)]
    [TestCase("1960-01-01T00:00:00Z", "1960-01-01T00:00:00Z", 4UL)]
    [TestCase("2026-11-20T12:00:00Z", "2026-11-20T12:00:00Z", 0UL)]
    public async Task Get_Since_SetsTheWindowOfEveryFigure(string since, string echoed, ulong expected)
    {
        foreach (var (at, offset) in new[] { (Now.AddHours(-2), 1UL), (Now.AddHours(-2).AddSeconds(-1), 2UL), (Now.AddHours(-3), 3UL), (Now.AddDays(-30), 4UL) })
        {
            await _tables.EventAsync(0, offset, at, duplicate: true);
            await _tables.AdjustmentAsync("api_requests", 0, offset, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), at);
            await _tables.SinkErrorAsync(at.AddMinutes(-1), at, failedAttempts: 1);
            await _tables.DeadLetterAsync(0, offset, at);
        }

        using var body = JsonDocument.Parse(await GetOkAsync(since));

        var root = body.RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("since").GetString(), Is.EqualTo(echoed));
            Assert.That(root.GetProperty("duplicateRate").GetDouble(), Is.EqualTo(expected == 0 ? 0 : 1));
            Assert.That(root.GetProperty("lateEvents").GetUInt64(), Is.EqualTo(expected));
            Assert.That(root.GetProperty("sinkErrors").GetUInt64(), Is.EqualTo(expected));
            Assert.That(root.GetProperty("deadLetters").GetUInt64(), Is.EqualTo(expected));
        }
    }

    [TestCase("yesterday", "since: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("2026-11-20", "since: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("2026-11-20T10:00:00", "since: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("", "since: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)")]
    [TestCase("2026-11-20T12:00:00.001Z", "since: must not be in the future")]
    [TestCase("2026-11-20T13:30:00+01:00", "since: must not be in the future")]
    public async Task Get_BadSince_Is400WithTheReason(string since, string reason)
    {
        using var response = await GetAsync(QueryService.SreKey, "?since=" + Uri.EscapeDataString(since));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo(reason));
    }

    [Test]
    public async Task Get_SinceTwice_Is400()
    {
        using var response = await GetAsync(QueryService.SreKey, "?since=2026-11-20T10:00:00Z&since=2026-11-20T11:00:00Z");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo("since: give it at most once"));
    }

    private async Task<string> GetOkAsync(string? since = null)
    {
        using var response = await GetAsync(QueryService.SreKey, since is null ? "" : "?since=" + Uri.EscapeDataString(since));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return text;
    }

    private async Task<HttpResponseMessage> GetAsync(string key, string query)
    {
        using var client = _service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/pipeline/health" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request);
    }

    /// <summary>Wall-clock time fixed at <paramref name="now"/>; timers stay the system's, so the ClickHouse client's timeouts work.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
