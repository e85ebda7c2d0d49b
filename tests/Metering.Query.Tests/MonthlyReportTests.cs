using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// <c>GET /v1/reports/monthly</c> over <see cref="ReportScenario"/> once November 2026 is final everywhere, with one late
/// event (an adjustment): rows per account × team × meter, adjustments apart, the checksum, CSV and XLSX, filters.
/// </summary>
[Integration]
public sealed class MonthlyReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly string A = "m-" + QueryService.Tag();
    private static readonly string B = "m-" + QueryService.Tag();
    private static readonly string[] TextParameters = ["account", "team"];
    private MeteredWorld _world = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _world = await ReportScenario.StartWorldAsync(Now);
        await ReportScenario.WriteAsync(_world, A, B);
        await _world.AdvanceClockAsync(Now);
        await _world.IngestAsync(ReportScenario.Measure(A, "late", "2026-11-01T18:10:00Z", 50, "us", "u-1"));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _world.DisposeAsync();

    [Test]
    public async Task Get_FinalMonth_AnswersEveryAccountTeamAndMeterWithTheAggregationsValue()
    {
        using var report = await GetOkAsync(("month", "2026-11"), ("account", A), ("account", B));

        var rows = Rows(report);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.RootElement.GetProperty("status").GetString(), Is.EqualTo("final"));
            Assert.That(rows.Where(r => r.Account == A && r.Team == "unassigned").Select(r => (r.Meter, r.Value)), Is.EqualTo(new[]
            {
                ("m_avg", 4d), ("m_count", 5d), ("m_latest", 4d), ("m_max", 5d), ("m_min", 1d), ("m_sum", 20d), ("m_unique", 3d),
            }));
            Assert.That(rows.Where(r => r.Account == A && r.Team == ReportScenario.Team).Select(r => (r.Meter, r.Value)), Is.EqualTo(new[]
            {
                ("m_avg", 3d), ("m_count", 1d), ("m_latest", 3d), ("m_max", 3d), ("m_min", 3d), ("m_sum", 3d), ("m_unique", 1d),
            }));
            Assert.That(rows.Where(r => r.Account == B).Select(r => (r.Team, r.Meter, r.Value)), Is.EqualTo(new[]
            {
                ("unassigned", "m_avg", 53.5), ("unassigned", "m_count", 2d), ("unassigned", "m_latest", 7d), ("unassigned", "m_max", 100d),
                ("unassigned", "m_min", 7d), ("unassigned", "m_sum", 107d), ("unassigned", "m_unique", 2d),
            }));
            Assert.That(string.Join(" ", rows.Select(r => r.Unit).Distinct().Order(StringComparer.Ordinal)), Is.EqualTo("1 {event} {value}"));
        }
    }

    [Test]
    public async Task Get_LateEvent_IsAnAdjustmentOfItsWindowAndNotInTheRows()
    {
        using var report = await GetOkAsync(("month", "2026-11"), ("account", A), ("meter", "m_sum"), ("meter", "m_count"));

        var adjustments = report.RootElement.GetProperty("adjustments").EnumerateArray().Select(a => (
            a.GetProperty("account").GetString(), a.GetProperty("team").GetString(), a.GetProperty("meter").GetString(),
            a.GetProperty("windowStart").GetString(), a.GetProperty("value").GetDouble())).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(adjustments, Is.EqualTo(new[]
            {
                (A, "unassigned", "m_count", "2026-11-01T18:00:00Z", 1d), (A, "unassigned", "m_sum", "2026-11-01T18:00:00Z", 50d),
            }));
            Assert.That(Rows(report).Single(r => r.Team == "unassigned" && r.Meter == "m_sum").Value, Is.EqualTo(20));
            Assert.That(report.RootElement.GetProperty("adjustments")[0].GetProperty("receivedAt").GetString(), Does.StartWith("2026-12-10T"));
        }
    }

    [Test]
    public async Task Get_SameMonthAgain_SameChecksumAndKeptTotals()
    {
        using var first = await GetOkAsync(("month", "2026-11"));
        using var second = await GetOkAsync(("month", "2026-11"));
        var kept = await _world.Database.Client.QueryScalarAsync(
            "SELECT count() FROM monthly_totals_complete WHERE month = toDate('2026-11-01')", TestJsonContext.Default.UInt64);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Checksum(second), Is.EqualTo(Checksum(first)).And.Match("^sha256:[0-9a-f]{64}$"));
            Assert.That(second.RootElement.GetProperty("rows").GetRawText(), Is.EqualTo(first.RootElement.GetProperty("rows").GetRawText()));
            Assert.That(kept, Is.GreaterThan(0));
        }
    }

    [Test]
    public async Task Get_DifferentFilters_DifferentChecksums()
    {
        using var a = await GetOkAsync(("month", "2026-11"), ("account", A));
        using var b = await GetOkAsync(("month", "2026-11"), ("account", B));

        Assert.That(Checksum(a), Is.Not.EqualTo(Checksum(b)));
    }

    [Test]
    public async Task Get_TeamAndMeterFilters_AnswerOnlyThoseRows()
    {
        using var report = await GetOkAsync(("month", "2026-11"), ("team", ReportScenario.Team), ("meter", "m_sum"));

        Assert.That(Rows(report).Select(r => (r.Account, r.Team, r.Meter, r.Value)), Is.EqualTo(new[] { (A, ReportScenario.Team, "m_sum", 3d) }));
    }

    [Test]
    public async Task Get_MonthWithoutUsage_FinalAndEmpty()
    {
        using var report = await GetOkAsync(("month", "2026-09"), ("account", A));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.RootElement.GetProperty("status").GetString(), Is.EqualTo("final"));
            Assert.That(report.RootElement.GetProperty("rows").GetArrayLength(), Is.Zero);
        }
    }

    [Test]
    public async Task Get_Csv_SameRowsAdjustmentsAndHeaderBlock()
    {
        using var json = await GetOkAsync(("month", "2026-11"), ("account", A));
        using var response = await _world.Query.GetPathAsync("/v1/reports/monthly", QueryService.FinanceKey, ("month", "2026-11"), ("account", A), ("format", "csv"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);

        var header = text.Split("\r\n").TakeWhile(l => l.StartsWith('#')).ToList();
        using var csv = CsvReader.FromText(text, new CsvReaderOptions { HasHeader = true, CommentPrefix = '#' });
        var records = new List<(string Kind, string Account, string Team, string Meter, string Unit, double Value, string WindowStart)>();
        while (csv.Read())
        {
            records.Add((csv.GetString("kind"), csv.GetString("account"), csv.GetString("team"), csv.GetString("meter"), csv.GetString("unit"),
                double.Parse(csv.GetString("value"), CultureInfo.InvariantCulture), csv.GetString("window_start")));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
            Assert.That(header.Where(l => !l.StartsWith("# generatedAt: ", StringComparison.Ordinal)), Is.EqualTo(new[]
            {
                "# month: 2026-11", "# status: final", $"# checksum: {Checksum(json)}", $"# filter: account={A}",
            }));
            Assert.That(header[2], Does.Match(@"^# generatedAt: 2026-12-10T\d\d:\d\d:\d\d(\.\d{3})?Z$"));
            Assert.That(records.Where(r => r.Kind == "row").Select(r => (r.Account, r.Team, r.Meter, r.Unit, r.Value)),
                Is.EqualTo(Rows(json).Select(r => (r.Account, r.Team, r.Meter, r.Unit, r.Value))));
            Assert.That(records.Where(r => r.Kind == "adjustment").Select(r => (r.Meter, r.Value, r.WindowStart)),
                Is.EqualTo(json.RootElement.GetProperty("adjustments").EnumerateArray().Select(a => (
                    a.GetProperty("meter").GetString()!, a.GetProperty("value").GetDouble(), a.GetProperty("windowStart").GetString()!))));
        }
    }

    [Test]
    public async Task Get_Xlsx_SameRowsAdjustmentsAndHeaderBlock()
    {
        using var json = await GetOkAsync(("month", "2026-11"), ("account", A));
        using var client = _world.Query.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/reports/monthly?month=2026-11&account={A}");
        request.Headers.Authorization = new("Bearer", QueryService.FinanceKey);
        request.Headers.Accept.ParseAdd("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), isEditable: false);
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
        var cells = sheet.Descendants<Row>().Select(r => r.Elements<Cell>().Select(c => c.InnerText).ToArray()).ToList();
        var table = cells.SkipWhile(r => r.Length == 0 || r[0] != "kind").ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cells.Take(5).Select(r => (r[0], r[0] == "generatedAt" ? r[1][..10] : r[1])), Is.EqualTo(new[]
            {
                ("month", "2026-11"), ("status", "final"), ("generatedAt", "2026-12-10"), ("checksum", Checksum(json)), ("filter", $"account={A}"),
            }));
            Assert.That(string.Join(",", table[0]), Is.EqualTo("kind,account,team,meter,unit,value,window_start,received_at"));
            Assert.That(table.Skip(1).Where(r => r[0] == "row").Select(r => (r[1], r[2], r[3], r[4], double.Parse(r[5], CultureInfo.InvariantCulture))),
                Is.EqualTo(Rows(json).Select(r => (r.Account, r.Team, r.Meter, r.Unit, r.Value))));
            Assert.That(table.Count(r => r[0] == "adjustment"), Is.EqualTo(json.RootElement.GetProperty("adjustments").GetArrayLength()));
        }
    }

    [Test]
    public async Task Get_ScopedKey_SeesOnlyItsAccount()
    {
        using var response = await _world.Query.GetPathAsync("/v1/reports/monthly", QueryService.ScopedViewerKey, ("month", "2026-11"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        using var report = JsonDocument.Parse(text);

        Assert.That(Rows(report).Select(r => r.Account).Distinct(), Is.Empty.Or.EqualTo(new[] { QueryService.ScopedAccount }));
    }

    [TestCase("", "month: required")]
    [TestCase("month=2026-13", "month: '2026-13' is not a month")]
    [TestCase("month=2026-1", "month: '2026-1' is not a month")]
    [TestCase("month=2026-10-01", "month: '2026-10-01' is not a month")]
    [TestCase("month=2026-10&month=2026-11", "month: give it at most once")]
    [TestCase("month=2026-10&meter=nope", "meter: no meter named 'nope'")]
    [TestCase("month=2026-10&format=pdf", "format: must be json, csv or xlsx")]
    [TestCase("month=2026-10&acount=x", "acount: unknown parameter")]
    [TestCase("month=2026-10&team=%07", "team: contains a control character")]
    public async Task Get_BadParameter_Answers400WithTheReason(string query, string reason)
    {
        using var client = _world.Query.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/reports/monthly?" + query);
        request.Headers.Authorization = new("Bearer", QueryService.FinanceKey);
        using var response = await client.SendAsync(request);
        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);

        Assert.That(Problems.Detail(problem), Does.StartWith(reason));
    }

    [TestCase("'")]
    [TestCase("x' OR '1'='1")]
    [TestCase("\\' OR 1=1 --")]
    [TestCase("'; DROP TABLE rollups; --")]
    [TestCase("ünïcødé ✓")]
    public async Task Get_HostileText_AnswersEmptyAndNeverOtherData(string hostile)
    {
        foreach (var name in TextParameters)
        {
            using var report = await GetOkAsync(("month", "2026-11"), (name, hostile));

            Assert.That(report.RootElement.GetProperty("rows").GetArrayLength(), Is.Zero, $"{name}={hostile}");
        }
    }

    private async Task<JsonDocument> GetOkAsync(params (string Name, string Value)[] parameters)
    {
        using var response = await _world.Query.GetPathAsync("/v1/reports/monthly", QueryService.FinanceKey, parameters);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text);
    }

    private static string Checksum(JsonDocument report) => report.RootElement.GetProperty("checksum").GetString()!;

    private static List<(string Account, string Team, string Meter, string Unit, double Value)> Rows(JsonDocument report) =>
        [.. report.RootElement.GetProperty("rows").EnumerateArray().Select(r => (
            r.GetProperty("account").GetString()!, r.GetProperty("team").GetString()!, r.GetProperty("meter").GetString()!,
            r.GetProperty("unit").GetString()!, r.GetProperty("value").GetDouble()))];
}
