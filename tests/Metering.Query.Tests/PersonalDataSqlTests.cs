using Metering.Query.Accounts;
using Metering.Testing;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Tests;

/// <summary>The SQL form of the pseudonym, run by the real ClickHouse, agrees with the C# form: reports in SQL and in C# show the same.</summary>
[Integration]
public sealed class PersonalDataSqlTests
{
    private static readonly string[] Subjects =
    [
        "u-1", "", "user@example.com", "Zoë Ångström", "名前", "emoji 😀", "it's", @"back\slash", "semi;colon -- comment", "tab\there",
        "nul\0byte", new string('x', 256),
    ];

    [TestCase("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [TestCase("k")]
    [TestCase("")]
    public async Task HashSql_OnClickHouse_EqualsHashForEverySubject(string key)
    {
        var server = await ClickHouseServer.GetAsync();
        var client = server.CreateClient("system");

        var rows = await client.QueryAsync(
            $"SELECT s, {PersonalData.HashSql(Literal(key), "s")} AS h FROM (SELECT arrayJoin({Literal(Subjects)}) AS s)",
            TestJsonContext.Default.JsonElement);

        var fromSql = rows.Select(r => (r.GetProperty("s").GetString(), r.GetProperty("h").GetString())).ToList();
        Assert.That(fromSql, Is.EqualTo(Subjects.Select(s => ((string?)s, (string?)PersonalData.Hash(key, s)))));
    }
}
