using Metering.Testing;

namespace Metering.ClickHouse.Tests;

[TestFixture]
[Integration]
public sealed class ClickHouseClientTests
{
    private static readonly string[] NastyStrings =
    [
        "",
        "plain",
        "it's",
        "''",
        @"back\slash",
        @"\'",
        @"\\'",
        "\"double\" `tick`",
        "line\nbreak\r\nand\ttab",
        "nul\0inside",
        "\u0001\u001f\u007f",
        "grüße 日本語 😀 \u2028",
        "x' OR 1=1 --",
        "'; DROP TABLE usage_events; --",
        "-- comment\nSELECT 1;",
        "/* block */ ;",
        "{\"json\": [1, 2]}",
        "%s %d {0} $1 ?",
    ];

    private ClickHouseTestDatabase _database = null!;

    private ClickHouseClient Client => _database.Client;

    [OneTimeSetUp]
    public async Task OneTimeSetUp()
    {
        var server = await ClickHouseServer.GetAsync();
        _database = await server.CreateDatabaseAsync("client");
    }

    [OneTimeTearDown]
    public async Task OneTimeTearDown()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [TestCase("json")]
    [TestCase("rowbinary")]
    public async Task InsertAsync_RowsOfEveryType_QueryReturnsThemUnchanged(string format)
    {
        var table = "round_trip_" + format;
        await Client.ExecuteAsync(
            $"""
            CREATE TABLE {table}
            (
                id UInt32, text String, big UInt64, real Float64, at DateTime, tags Array(String)
            )
            ENGINE = MergeTree ORDER BY id
            """);
        Rows.RoundTripRow[] rows =
        [
            new(1, "quote ' and \" and \\ and\nnewline", ulong.MaxValue, 0.1, At(2024, 1, 2, 3, 4, 5), ["a", "b'c", ""]),
            new(2, "unicode grüße 😀", (1UL << 53) + 1, -1.5e300, At(1970, 1, 2, 0, 0, 0), []),
            new(3, "", 0, 2.2250738585072014E-308, At(2105, 12, 31, 23, 59, 59), ["\n", new string('x', 200)]),
        ];

        if (format == "json")
        {
            Assert.That(await Client.InsertAsync(table, rows, TestJsonContext.Default.RoundTripRow), Is.EqualTo(rows.Length));
        }
        else
        {
            using var encoded = RowBinaryRows.Encode(table, rows);
            await Client.InsertAsync(encoded);
        }

        var sql = $"SELECT id, text, big, real, at, tags FROM {table} ORDER BY id";
        var read = format == "json"
            ? await Client.QueryAsync(sql, TestJsonContext.Default.RoundTripRow)
            : await Client.QueryRowBinaryAsync(sql, Rows.RoundTripRow.Read);

        Assert.That(read, Has.Count.EqualTo(rows.Length));
        for (var i = 0; i < rows.Length; i++)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(read[i].Id, Is.EqualTo(rows[i].Id));
                Assert.That(read[i].Text, Is.EqualTo(rows[i].Text));
                Assert.That(read[i].Big, Is.EqualTo(rows[i].Big));
                Assert.That(read[i].Real, Is.EqualTo(rows[i].Real));
                Assert.That(read[i].At, Is.EqualTo(rows[i].At));
                Assert.That(read[i].Tags, Is.EqualTo(rows[i].Tags));
            }
        }
    }

    [Test]
    public void QueryRowBinaryAsync_ReaderDoesNotFitTheColumns_ThrowsClickHouseException()
    {
        var error = Assert.ThrowsAsync<ClickHouseException>(
            () => Client.QueryRowBinaryAsync("SELECT toUInt8(1) AS x", (ref RowBinaryReader r) => r.ReadUInt64()));

        Assert.That(error.Message, Does.Contain("does not fit the RowBinary rows of UInt64 after 0 rows"));
    }

    [Test]
    public async Task InsertAsync_IsoTimestampWithFraction_IsStoredAsUtcSeconds()
    {
        await Client.ExecuteAsync("CREATE TABLE iso_times (at DateTime) ENGINE = Memory");

        await Client.InsertAsync(
            "iso_times", [new Rows.IsoTimeRow("2024-05-06T07:08:09.123+02:00")], TestJsonContext.Default.IsoTimeRow);
        var at = await Client.QueryScalarAsync("SELECT toUInt64(at) FROM iso_times", TestJsonContext.Default.UInt64);

        Assert.That(at, Is.EqualTo((ulong)new DateTimeOffset(2024, 5, 6, 5, 8, 9, TimeSpan.Zero).ToUnixTimeSeconds()));
    }

    [Test]
    public async Task QueryScalarAsync_UInt64AboveDoublePrecision_ReturnsExactValue()
    {
        var value = await Client.QueryScalarAsync("SELECT toUInt64('18446744073709551615') AS v", TestJsonContext.Default.UInt64);

        Assert.That(value, Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public async Task QueryScalarAsync_NoRows_ReturnsDefault()
    {
        var value = await Client.QueryScalarAsync("SELECT dummy FROM system.one WHERE dummy > 0", TestJsonContext.Default.UInt64);

        Assert.That(value, Is.Zero);
    }

    [Test]
    public async Task Literal_NastyString_QueriesBackUnchanged([ValueSource(nameof(NastyStrings))] string value)
    {
        var read = await Client.QueryScalarAsync($"SELECT {ClickHouseSql.Literal(value)} AS s", TestJsonContext.Default.String);

        Assert.That(read, Is.EqualTo(value));
    }

    [Test]
    public async Task Literal_AllNastyStringsInOneArray_QueryBackUnchanged()
    {
        var rows = await Client.QueryAsync(
            $"SELECT arrayJoin({ClickHouseSql.Literal(NastyStrings)}) AS s", TestJsonContext.Default.StringRow);

        Assert.That(rows.Select(r => r.S), Is.EqualTo(NastyStrings));
    }

    [Test]
    public async Task Literal_EveryControlCharacter_QueriesBackUnchanged()
    {
        var value = new string([.. Enumerable.Range(0, 32).Select(i => (char)i)]) + "\u007f";

        var read = await Client.QueryScalarAsync($"SELECT {ClickHouseSql.Literal(value)} AS s", TestJsonContext.Default.String);

        Assert.That(read, Is.EqualTo(value));
    }

    [TestCase(0.1)]
    [TestCase(-1.5e300)]
    [TestCase(2.2250738585072014E-308)]
    [TestCase(-0.0)]
    [TestCase(123456789.123456789)]
    public async Task Literal_Double_QueriesBackUnchanged(double value)
    {
        var read = await Client.QueryScalarAsync($"SELECT {ClickHouseSql.Literal(value)} AS v", TestJsonContext.Default.Double);

        Assert.That(read, Is.EqualTo(value));
    }

    [Test]
    public async Task Literal_DateTimeOffset_IsTheSameInstant()
    {
        var at = new DateTimeOffset(2024, 3, 4, 7, 8, 9, TimeSpan.FromHours(2));

        var seconds = await Client.QueryScalarAsync($"SELECT toUInt64({ClickHouseSql.Literal(at)}) AS v", TestJsonContext.Default.UInt64);

        Assert.That(seconds, Is.EqualTo((ulong)at.ToUnixTimeSeconds()));
    }

    [Test]
    public void ExecuteAsync_SyntaxError_ThrowsCode62WithServerMessage()
    {
        var e = Assert.ThrowsAsync<ClickHouseException>(() => Client.ExecuteAsync("SELEC 1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Code, Is.EqualTo(ClickHouseErrorCodes.SyntaxError));
            Assert.That(e.ServerMessage, Does.StartWith("Syntax error"));
            Assert.That(e.Message, Does.Contain("62").And.Contain("Syntax error"));
            Assert.That(e.IsTransient, Is.False);
        }
    }

    [Test]
    public void QueryAsync_UnknownTable_ThrowsCode60NamingTheTable()
    {
        var e = Assert.ThrowsAsync<ClickHouseException>(
            () => Client.QueryAsync("SELECT s FROM no_such_table", TestJsonContext.Default.StringRow));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Code, Is.EqualTo(ClickHouseErrorCodes.UnknownTable));
            Assert.That(e.ServerMessage, Does.Contain("no_such_table"));
        }
    }

    [Test]
    public void InsertAsync_UnknownTable_ThrowsCode60()
    {
        var e = Assert.ThrowsAsync<ClickHouseException>(
            () => Client.InsertAsync("no_such_table", [new Rows.StringRow("x")], TestJsonContext.Default.StringRow));

        Assert.That(e.Code, Is.EqualTo(ClickHouseErrorCodes.UnknownTable));
    }

    [Test]
    public void ExecuteAsync_MultipleStatements_IsRejected()
    {
        var e = Assert.ThrowsAsync<ClickHouseException>(() => Client.ExecuteAsync("SELECT 1; SELECT 2"));

        Assert.That(e.Code, Is.EqualTo(ClickHouseErrorCodes.SyntaxError));
    }

    [Test]
    public async Task QueryAsync_SettingAndQueryId_AreApplied()
    {
        var queryId = $"test-{Guid.NewGuid():N}";

        var value = await Client.QueryScalarAsync(
            "SELECT value FROM system.settings WHERE name = 'max_threads'",
            TestJsonContext.Default.String,
            new ClickHouseQueryOptions { QueryId = queryId, Settings = new Dictionary<string, string> { ["max_threads"] = "3" } });

        Assert.That(value, Is.EqualTo("3"));
    }

    [Test]
    public async Task WithDatabase_OtherDatabase_RunsThere()
    {
        var database = await Client.WithDatabase("system").QueryScalarAsync("SELECT currentDatabase() AS d", TestJsonContext.Default.String);

        Assert.That(database, Is.EqualTo("system"));
    }

    [Test]
    public async Task PingAsync_RunningServer_ReturnsTrue() =>
        Assert.That(await Client.PingAsync(), Is.True);

    private static DateTimeOffset At(int year, int month, int day, int hour, int minute, int second) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);
}
