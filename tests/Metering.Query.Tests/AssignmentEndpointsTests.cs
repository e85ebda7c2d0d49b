using System.Net;
using System.Text.Json;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>POST then GET of <c>/v1/directory/assignments</c> against the test ClickHouse server.</summary>
[Integration]
public sealed class AssignmentEndpointsTests
{
    private static readonly string[] OnlyU1 = ["u-1"];
    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    private async Task PostOkAsync(string body, int written)
    {
        using var response = await _service.PostAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(text, Is.EqualTo($"{{\"written\":{written}}}"));
        }
    }

    [Test]
    public async Task PostThenGet_RoundTrip_AnswersEveryFieldOrderedBySubjectAndValidFrom()
    {
        var account = QueryService.Tag();
        await PostOkAsync(
            $"""
            [
              {QueryService.Item(account, "u-2", "render", "2026-11-01T10:00:00+02:00")},
              {QueryService.Item(account, "u-1", "ml", "2026-12-01T00:00:00.123Z", ",\"group\":\"gpu\",\"validTo\":\"2027-01-01T00:00:00Z\"")},
              {QueryService.Item(account, "u-1", "render", "2026-10-01T00:00:00Z", ",\"group\":null,\"validTo\":null")},
              {QueryService.Item(account + "-other", "u-1", "render")}
            ]
            """, written: 4);

        using var response = await _service.GetAsync(QueryService.AdminKey, ("account", account));

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(text, Is.EqualTo(
            $$"""[{"account":"{{account}}","subject":"u-1","team":"render","validFrom":"2026-10-01T00:00:00Z"},"""
            + $$"""{"account":"{{account}}","subject":"u-1","team":"ml","group":"gpu","validFrom":"2026-12-01T00:00:00.123Z","validTo":"2027-01-01T00:00:00Z"},"""
            + $$"""{"account":"{{account}}","subject":"u-2","team":"render","validFrom":"2026-11-01T08:00:00Z"}]"""));
    }

    [Test]
    public async Task PostThenGet_StoresMillisecondsAndOpenEnd()
    {
        var account = QueryService.Tag();
        await PostOkAsync($"[{QueryService.Item(account, validFrom: "2026-11-01T00:00:00.5+00:00", extra: ",\"validTo\":\"2026-11-01T00:00:00.501Z\"")},"
            + $"{QueryService.Item(account, subject: "u-2", validFrom: "1969-12-31T23:59:59.999Z")}]", written: 2);

        var rows = await _service.Database.Client.QueryAsync(
            $"SELECT subject, valid_from_ms, valid_to_ms FROM assignments WHERE account = {Metering.ClickHouse.ClickHouseSql.Literal(account)} ORDER BY subject",
            TestJsonContext.Default.JsonElement);

        Assert.That(rows.Select(r => (r.GetProperty("subject").GetString(), r.GetProperty("valid_from_ms").GetInt64(), r.GetProperty("valid_to_ms").GetInt64())),
            Is.EqualTo(new[] { ("u-1", 1_793_491_200_500L, 1_793_491_200_501L), ("u-2", -1L, long.MaxValue) }));
    }

    [Test]
    public async Task Post_SameValidFromAgain_ReplacesTheAssignment()
    {
        var account = QueryService.Tag();
        await PostOkAsync($"[{QueryService.Item(account, team: "render", extra: ",\"group\":\"a\",\"validTo\":\"2027-01-01T00:00:00Z\"")},"
            + $"{QueryService.Item(account, team: "render", validFrom: "2027-01-01T00:00:00Z")}]", written: 2);

        await PostOkAsync($"[{QueryService.Item(account, team: "ml", validFrom: "2026-11-01T01:00:00+01:00")}]", written: 1);

        var assignments = await _service.ReadAsync(account);
        Assert.That(assignments.Select(a => a.GetRawText()), Is.EqualTo(new[]
        {
            $$"""{"account":"{{account}}","subject":"u-1","team":"ml","validFrom":"2026-11-01T00:00:00Z"}""",
            $$"""{"account":"{{account}}","subject":"u-1","team":"render","validFrom":"2027-01-01T00:00:00Z"}""",
        }));
    }

    [Test]
    public async Task Get_SubjectFilter_AnswersOnlyThatSubject()
    {
        var account = QueryService.Tag();
        await PostOkAsync($"[{QueryService.Item(account, "u-1")},{QueryService.Item(account, "u-10")},{QueryService.Item(account, "u-2")}]", written: 3);

        var assignments = await _service.ReadAsync(account, "u-1");

        Assert.That(assignments.Select(a => a.GetProperty("subject").GetString()), Is.EqualTo(OnlyU1));
    }

    [Test]
    public async Task Get_UnknownAccount_IsAnEmptyArray()
    {
        using var response = await _service.GetAsync(QueryService.AdminKey, ("account", QueryService.Tag()));

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task Get_NoAccountWithUnscopedKey_Is400()
    {
        using var response = await _service.GetAsync(QueryService.ViewerKey);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Does.StartWith("account: required"));
    }

    [TestCase("account", "a\u0001b", "account: contains a control character or an unpaired surrogate")]
    [TestCase("subject", "u\n1", "subject: contains a control character or an unpaired surrogate")]
    [TestCase("subject", "", null)]
    public async Task Get_InvalidParameter_Is400(string name, string value, string? reason)
    {
        var parameters = name == "account" ? new[] { ("account", value) } : [("account", "acme"), (name, value)];

        using var response = await _service.GetAsync(QueryService.AdminKey, parameters);

        if (reason is null)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "an empty subject is no filter");
            return;
        }

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo(reason));
    }

    [Test]
    public async Task Get_LongAccount_Is400()
    {
        using var response = await _service.GetAsync(QueryService.AdminKey, ("account", new string('a', 257)));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo("account: longer than 256 characters"));
    }

    [TestCase("account")]
    [TestCase("subject")]
    public async Task Get_ParameterTwice_Is400(string name)
    {
        using var response = await _service.GetAsync(QueryService.AdminKey, ("account", "acme"), (name, "x"), (name, "y"));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Does.StartWith(name + ":"));
    }

    [TestCase("o'brien")]
    [TestCase("it\\'s")]
    [TestCase("back\\slash\\")]
    [TestCase("\\")]
    [TestCase("'")]
    [TestCase("''")]
    [TestCase("x' OR 1=1 --")]
    [TestCase("'; DROP TABLE assignments; --")]
    [TestCase("a;b;c")]
    [TestCase("-- comment")]
    [TestCase("/* c */")]
    [TestCase("\"double\"")]
    [TestCase("`tick`")]
    [TestCase("{p:String}")]
    [TestCase("%27%22")]
    [TestCase("a\\x00b")]
    [TestCase("\\N")]
    [TestCase("日本語 ü ß é")]
    [TestCase("🙂👩‍💻")]
    [TestCase("\u202Eevil\u202C \u200B \u2028 \uFEFF")]
    [TestCase("  spaced  ")]
    public async Task PostThenGet_HostileText_IsStoredVerbatim(string text)
    {
        var account = QueryService.Tag() + text;
        var subject = "s" + text;
        await PostOkAsync($"[{QueryService.Item(account, subject, team: "t" + text, extra: $",\"group\":{JsonSerializer.Serialize("g" + text)}")}]", written: 1);

        var assignments = await _service.ReadAsync(account, subject);

        Assert.That(assignments, Has.Length.EqualTo(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(assignments[0].GetProperty("account").GetString(), Is.EqualTo(account));
            Assert.That(assignments[0].GetProperty("subject").GetString(), Is.EqualTo(subject));
            Assert.That(assignments[0].GetProperty("team").GetString(), Is.EqualTo("t" + text));
            Assert.That(assignments[0].GetProperty("group").GetString(), Is.EqualTo("g" + text));
            Assert.That(await _service.CountRowsAsync(account), Is.EqualTo(1));
        }
    }
}
