using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// <c>GET /v1/meters/{meter}/usage</c> over <see cref="ReportScenario"/>: every aggregation, window size and time zone,
/// filters and groups, from the rollups where windows fall on base windows and from the raw events where they do not.
/// </summary>
[Integration]
public sealed class UsageReportTests
{
    private static readonly string A = QueryService.Tag();
    private static readonly string B = QueryService.Tag();
    private static readonly string[] TextParameters = ["account", "team", "subject", "filterGroupBy[region]"];
    private MeteredWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _world = await ReportScenario.StartWorldAsync(ReportScenario.Now);
        await ReportScenario.WriteAsync(_world, A, B);
        await _world.AdvanceClockAsync(ReportScenario.Now);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _world.DisposeAsync();

    [TestCase("m_count", 6)]
    [TestCase("m_sum", 23)]
    [TestCase("m_avg", 23d / 6)]
    [TestCase("m_min", 1)]
    [TestCase("m_max", 5)]
    [TestCase("m_latest", 4)]
    [TestCase("m_unique", 4)]
    public async Task Get_WholeRange_AnswersTheMetersAggregation(string meter, double expected)
    {
        var rows = await RowsAsync(meter, ("account", A), ("from", "2026-10-31T00:00:00Z"), ("to", "2026-11-03T00:00:00Z"));

        Assert.That(rows, Is.EqualTo(new[] { ("2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z", expected, "final") }));
    }

    [TestCase("m_count", 4, 2)]
    [TestCase("m_sum", 16, 7)]
    [TestCase("m_unique", 2, 2)] // three hours of Nov 1 hold {1}, {5}, {5}: the day's unique count is not their sum
    [TestCase("m_latest", 5, 4)]
    public async Task Get_DaysInUtc_AnswersEachDayFromTheRollups(string meter, double first, double second)
    {
        var rows = await RowsAsync(meter, ("account", A), ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-03T00:00:00Z"), ("windowSize", "DAY"));

        Assert.That(rows, Is.EqualTo(new[]
        {
            ("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", first, "final"),
            ("2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z", second, "final"),
        }));
    }

    [Test]
    public async Task Get_DaysInNewYork_FollowLocalMidnightAcrossTheDstChange()
    {
        var rows = await RowsAsync("m_sum", ("account", A), ("from", "2026-10-31T04:00:00Z"), ("to", "2026-11-03T05:00:00Z"),
            ("windowSize", "DAY"), ("windowTimeZone", "America/New_York"));

        Assert.That(rows, Is.EqualTo(new[]
        {
            ("2026-10-31T04:00:00Z", "2026-11-01T04:00:00Z", 1d, "final"),
            ("2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 18d, "final"), // 25 hours
            ("2026-11-02T05:00:00Z", "2026-11-03T05:00:00Z", 4d, "final"),
        }));
    }

    [Test]
    public async Task Get_DaysInKolkata_SplitAnHourlyBaseWindowFromTheRawEvents()
    {
        var rows = await RowsAsync("m_sum", ("account", A), ("from", "2026-10-31T18:30:00Z"), ("to", "2026-11-02T18:30:00Z"),
            ("windowSize", "DAY"), ("windowTimeZone", "Asia/Kolkata"));

        Assert.That(rows, Is.EqualTo(new[]
        {
            ("2026-10-31T18:30:00Z", "2026-11-01T18:30:00Z", 11d, "final"),
            ("2026-11-01T18:30:00Z", "2026-11-02T18:30:00Z", 12d, "final"),
        }));
    }

    [TestCase("UTC", "2026-11-01T00:00:00Z", 23)]
    [TestCase("America/New_York", "2026-11-01T04:00:00Z", 22)]
    [TestCase("Asia/Kolkata", "2026-10-31T18:30:00Z", 23)]
    public async Task Get_MonthsInAZone_StartAtLocalMidnightOfTheFirst(string zone, string novemberStart, double november)
    {
        var rows = await RowsAsync("m_sum", ("account", A), ("from", "2026-10-01T00:00:00Z"), ("to", "2026-12-01T00:00:00Z"),
            ("windowSize", "MONTH"), ("windowTimeZone", zone));

        Assert.That(rows.Where(r => r.Start == novemberStart).Select(r => r.Value), Is.EqualTo(new[] { november }));
    }

    [Test]
    public async Task Get_MinutesOverHourlyRollups_AnswerFromTheRawEvents()
    {
        var rows = await RowsAsync("m_count", ("account", A), ("from", "2026-11-01T18:00:00Z"), ("to", "2026-11-01T19:00:00Z"), ("windowSize", "MINUTE"));

        Assert.That(rows, Is.EqualTo(new[]
        {
            ("2026-11-01T18:00:00Z", "2026-11-01T18:01:00Z", 1d, "final"),
            ("2026-11-01T18:45:00Z", "2026-11-01T18:46:00Z", 1d, "final"),
        }));
    }

    [Test]
    public async Task Get_RangeInsideBaseWindows_CountsExactlyTheEventsInIt()
    {
        var rows = await RowsAsync("m_sum", ("account", A), ("from", "2026-11-01T04:15:00Z"), ("to", "2026-11-01T18:50:00Z"));

        Assert.That(rows, Is.EqualTo(new[] { ("2026-11-01T04:15:00Z", "2026-11-01T18:50:00Z", 15d, "final") }));
    }

    [Test]
    public async Task Get_HoursInUtc_OneRowPerHourWithUsage()
    {
        var rows = await RowsAsync("m_count", ("account", A), ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-02T00:00:00Z"), ("windowSize", "HOUR"));

        Assert.That(rows.Select(r => (r.Start, r.Value)), Is.EqualTo(new[]
        {
            ("2026-11-01T03:00:00Z", 1d), ("2026-11-01T04:00:00Z", 1d), ("2026-11-01T18:00:00Z", 2d),
        }));
    }

    [Test]
    public async Task Get_GroupByRegionWithAFilter_AnswersOnlyThatRegion()
    {
        using var body = await GetOkAsync("m_sum", ("account", A), ("groupBy", "region"), ("filterGroupBy[region]", "eu"));

        var row = body.RootElement.GetProperty("data").EnumerateArray().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(row.GetProperty("value").GetDouble(), Is.EqualTo(8));
            Assert.That(row.GetProperty("groupBy").GetProperty("region").GetString(), Is.EqualTo("eu"));
        }
    }

    [TestCase("windowSize", "HOUR")]
    [TestCase("windowSize", "MINUTE")]
    public async Task Get_GroupByValueThatNeedsEscaping_FiltersAndGroupsByItsText(string name, string value)
    {
        using var body = await GetOkAsync("m_sum", ("account", B), ("groupBy", "region"), ("filterGroupBy[region]", ReportScenario.EscapedRegion),
            ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-02T00:00:00Z"), (name, value));

        var row = body.RootElement.GetProperty("data").EnumerateArray().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(row.GetProperty("value").GetDouble(), Is.EqualTo(7));
            Assert.That(row.GetProperty("groupBy").GetProperty("region").GetString(), Is.EqualTo(ReportScenario.EscapedRegion));
        }
    }

    [Test]
    public async Task Get_GroupByAccountTeamAndSubject_AnswersEachGroup()
    {
        using var body = await GetOkAsync("m_sum", ("account", A), ("account", B), ("groupBy", "account"), ("groupBy", "team"), ("groupBy", "subject"));

        var groups = body.RootElement.GetProperty("data").EnumerateArray().Select(r => (
            r.GetProperty("groupBy").GetProperty("account").GetString(), r.GetProperty("groupBy").GetProperty("team").GetString(),
            r.GetProperty("subject").GetString(), r.GetProperty("value").GetDouble()));
        Assert.That(groups, Is.EquivalentTo(new[]
        {
            (A, "unassigned", "u-1", 20d), (A, ReportScenario.Team, "u-2", 3d), (B, "unassigned", "u-9", 107d),
        }));
    }

    [Test]
    public async Task Get_FilterByTeamAndSubject_AnswersTheirUsageOnly()
    {
        var byTeam = await RowsAsync("m_sum", ("team", ReportScenario.Team));
        var bySubject = await RowsAsync("m_sum", ("account", A), ("subject", "u-1"), ("windowSize", "DAY"), ("windowTimeZone", "Asia/Kolkata"),
            ("from", "2026-10-31T18:30:00Z"), ("to", "2026-11-02T18:30:00Z"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(byTeam.Single().Value, Is.EqualTo(3));
            Assert.That(bySubject.Select(r => (r.Start, r.Value)), Is.EqualTo(new[] { ("2026-10-31T18:30:00Z", 11d), ("2026-11-01T18:30:00Z", 9d) }));
        }
    }

    [Test]
    public async Task Get_NoRange_SpansTheFirstToTheLastUsageOfTheFilters()
    {
        using var body = await GetOkAsync("m_count", ("account", A));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.RootElement.GetProperty("from").GetString(), Is.EqualTo("2026-11-01T03:00:00Z"));
            Assert.That(body.RootElement.GetProperty("to").GetString(), Is.EqualTo("2026-11-02T06:00:00Z"));
            Assert.That(body.RootElement.GetProperty("data")[0].GetProperty("value").GetDouble(), Is.EqualTo(6));
        }
    }

    [TestCase("m_count", 1)]
    [TestCase("m_unique", 1)]
    [TestCase("m_sum", 0)]
    [TestCase("m_latest", 0)]
    public async Task Get_NoUsageInRange_CountsAnswerOneZeroRowOthersNone(string meter, int rows)
    {
        var answer = await RowsAsync(meter, ("account", A), ("from", "2026-10-01T00:00:00Z"), ("to", "2026-10-02T00:00:00Z"), ("windowSize", "DAY"));

        Assert.That(answer, Is.EqualTo(Enumerable.Repeat(("2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", 0d, "final"), rows)));
    }

    [TestCase("format", "csv", null)]
    [TestCase(null, null, "text/csv")]
    public async Task Get_Csv_CarriesTheSameRowsWithOneColumnPerGroup(string? name, string? value, string? accept)
    {
        (string, string)[] parameters = [("account", A), ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-03T00:00:00Z"),
            ("windowSize", "DAY"), ("groupBy", "region"), ("groupBy", "subject")];
        var json = await RowsAsync("m_sum", parameters);
        using var client = _world.Query.CreateClient();
        var query = string.Join("&", parameters.Append((name ?? "x", value ?? "")).Where(p => p.Item1 != "x")
            .Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/meters/m_sum/usage?" + query);
        request.Headers.Authorization = new("Bearer", QueryService.ViewerKey);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        using var csv = CsvReader.FromText(text, new CsvReaderOptions { HasHeader = true });
        var rows = new List<(string, string, double, string, string)>();
        while (csv.Read())
        {
            rows.Add((csv.GetString("window_start"), csv.GetString("window_end"),
                double.Parse(csv.GetString("value"), CultureInfo.InvariantCulture), csv.GetString("region"), csv.GetString("subject")));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(string.Join(",", csv.Headers), Is.EqualTo("window_start,window_end,value,region,subject"));
            Assert.That(rows.Select(r => (r.Item1, r.Item2, r.Item3)), Is.EqualTo(json.Select(r => (r.Start, r.End, r.Value))));
            Assert.That(rows, Does.Contain(("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", 15d, "us", "u-1")));
        }
    }

    [TestCase("from=yesterday", "from: not an RFC 3339")]
    [TestCase("from=2026-11-01T00:00:00Z&from=2026-11-02T00:00:00Z", "from: give it at most once")]
    [TestCase("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from: must be before to")]
    [TestCase("windowSize=WEEK", "windowSize: must be MINUTE, HOUR, DAY or MONTH")]
    [TestCase("windowSize=day", "windowSize: must be")]
    [TestCase("windowTimeZone=Mars/Olympus", "windowTimeZone: 'Mars/Olympus' is not an IANA time zone")]
    [TestCase("windowTimeZone=America/New_York'--", "windowTimeZone:")]
    [TestCase("windowTimeZone=../../etc/passwd", "windowTimeZone:")]
    [TestCase("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&windowSize=MINUTE", "windowSize: the range holds more than 50000 MINUTE windows")]
    [TestCase("groupBy=colour", "groupBy: 'colour' is not account, team, subject or a group-by of meter m_sum (region)")]
    [TestCase("filterGroupBy[colour]=red", "filterGroupBy[colour]: 'colour' is not a group-by of meter m_sum")]
    [TestCase("filterGroupBy=red", "filterGroupBy: unknown parameter")]
    [TestCase("acount=acme", "acount: unknown parameter")]
    [TestCase("status=done", "status: must be any or final")]
    [TestCase("format=xml", "format: must be json or csv")]
    [TestCase("account=a%00b", "account: contains a control character")]
    [TestCase("team=%0A", "team: contains a control character")]
    public async Task Get_BadParameter_Answers400WithTheReason(string query, string reason)
    {
        using var response = await _world.Query.CreateClient().SendAsync(Request("/v1/meters/m_sum/usage?" + query));
        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);

        Assert.That(Problems.Detail(problem), Does.StartWith(reason));
    }

    [Test]
    public async Task Get_TooLongText_Answers400()
    {
        using var response = await _world.Query.CreateClient().SendAsync(Request("/v1/meters/m_sum/usage?subject=" + new string('x', 257)));
        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);

        Assert.That(Problems.Detail(problem), Is.EqualTo("subject: longer than 256 characters"));
    }

    [Test]
    public async Task Get_UnknownMeter_Answers400WithTheReason()
    {
        using var response = await _world.Query.CreateClient().SendAsync(Request("/v1/meters/nope/usage"));
        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);

        Assert.That(Problems.Detail(problem), Is.EqualTo("meter: no meter named 'nope'; GET /v1/meters lists them"));
    }

    [TestCase("'")]
    [TestCase("\\")]
    [TestCase("x' OR '1'='1")]
    [TestCase("x\\' OR 1=1 --")]
    [TestCase("'; DROP TABLE rollups; --")]
    [TestCase("-- comment")]
    [TestCase("ünïcødé ✓ 𝄞")]
    [TestCase("\")} OR 1=1")]
    public async Task Get_HostileText_AnswersEmptyAndNeverOtherData(string hostile)
    {
        foreach (var name in TextParameters)
        {
            foreach (var windows in new (string, string)[][] { [], [("windowSize", "MINUTE"), ("from", "2026-11-01T00:00:00Z"), ("to", "2026-11-02T00:00:00Z")] })
            {
                using var response = await _world.Query.CreateClient().SendAsync(Request("/v1/meters/m_sum/usage?"
                    + string.Join("&", windows.Append((name, hostile)).Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)))));
                var text = await response.Content.ReadAsStringAsync();

                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{name}={hostile}: {text}");
                using var body = JsonDocument.Parse(text);
                Assert.That(body.RootElement.GetProperty("data").GetArrayLength(), Is.Zero, $"{name}={hostile}: {text}");
            }
        }
    }

    [Test]
    public async Task Get_HostileGroupByName_Answers400()
    {
        using var response = await _world.Query.CreateClient().SendAsync(Request("/v1/meters/m_sum/usage?groupBy=" + Uri.EscapeDataString("region') --")));
        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
    }

    private async Task<List<(string Start, string End, double Value, string Status)>> RowsAsync(string meter, params (string Name, string Value)[] parameters)
    {
        using var body = await GetOkAsync(meter, parameters);
        return [.. body.RootElement.GetProperty("data").EnumerateArray().Select(r => (
            r.GetProperty("windowStart").GetString()!, r.GetProperty("windowEnd").GetString()!, r.GetProperty("value").GetDouble(),
            r.GetProperty("status").GetString()!))];
    }

    private async Task<JsonDocument> GetOkAsync(string meter, params (string Name, string Value)[] parameters)
    {
        using var response = await _world.Query.GetPathAsync($"/v1/meters/{meter}/usage", QueryService.ViewerKey, parameters);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text);
    }

    private static HttpRequestMessage Request(string pathAndQuery)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new("Bearer", QueryService.ViewerKey);
        return request;
    }
}
