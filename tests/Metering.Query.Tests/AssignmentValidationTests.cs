using System.Net;
using System.Text;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// Every rule of <c>POST /v1/directory/assignments</c>: an invalid item is named by index with its reason, the whole
/// request is refused with 400, and nothing of it, not even its valid items, is written.
/// </summary>
[Integration]
public sealed class AssignmentValidationTests
{
    private const string NotPrintable = "contains a control character or an unpaired surrogate";
    private const string NotRfc3339 = "not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)";
    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    /// <summary>An item whose property <paramref name="name"/> is the raw JSON <paramref name="value"/>, or absent when null.</summary>
    private static string ItemWith(string account, string name, string? value)
    {
        var properties = new Dictionary<string, string>
        {
            ["account"] = System.Text.Json.JsonSerializer.Serialize(account),
            ["subject"] = "\"u-1\"",
            ["team"] = "\"render\"",
            ["validFrom"] = "\"2026-11-01T00:00:00Z\"",
        };
        if (value is null)
        {
            properties.Remove(name);
        }
        else
        {
            properties[name] = value;
        }

        return "{" + string.Join(",", properties.Select(p => $"\"{p.Key}\":{p.Value}")) + "}";
    }

    /// <summary>Posts [valid, bad] and asserts one error at index 1 with <paramref name="reason"/>, and no row written.</summary>
    private async Task AssertRejectedAsync(string account, string bad, string reason)
    {
        var body = $"[{QueryService.Item(account, subject: "u-valid")},{bad}]";

        using var response = await _service.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { (1, reason) }));
            Assert.That(Problems.Detail(problem), Does.Contain("nothing was written"));
            Assert.That(await _service.CountRowsAsync(account), Is.Zero);
        }
    }

    [TestCase("account", null, "account: required")]
    [TestCase("account", "null", "account: required")]
    [TestCase("account", "\"\"", "account: must not be empty")]
    [TestCase("account", "42", "account: must be a string, not a number")]
    [TestCase("account", "\"a\\u0001\"", "account: " + NotPrintable)]
    [TestCase("subject", null, "subject: required")]
    [TestCase("subject", "null", "subject: required")]
    [TestCase("subject", "\"\"", "subject: must not be empty")]
    [TestCase("subject", "7", "subject: must be a string, not a number")]
    [TestCase("subject", "[\"u-1\"]", "subject: must be a string, not an array")]
    [TestCase("subject", "{\"id\":\"u-1\"}", "subject: must be a string, not an object")]
    [TestCase("subject", "true", "subject: must be a string, not a boolean")]
    [TestCase("subject", "\"u\\u0000\"", "subject: " + NotPrintable)]
    [TestCase("subject", "\"u\\n1\"", "subject: " + NotPrintable)]
    [TestCase("subject", "\"u\\u007f\"", "subject: " + NotPrintable)]
    [TestCase("subject", "\"u\\u0085\"", "subject: " + NotPrintable)]
    [TestCase("subject", "\"u\\ud800\"", "subject: " + NotPrintable)]
    [TestCase("subject", "\"\\udc00u\"", "subject: " + NotPrintable)]
    [TestCase("team", null, "team: required")]
    [TestCase("team", "\"\"", "team: must not be empty")]
    [TestCase("team", "1.5", "team: must be a string, not a number")]
    [TestCase("team", "\"r\\tender\"", "team: " + NotPrintable)]
    [TestCase("team", "\"unassigned\"", "team: 'unassigned' is reserved for usage without an assignment")]
    [TestCase("group", "\"\"", "group: must not be empty")]
    [TestCase("group", "false", "group: must be a string, not a boolean")]
    [TestCase("group", "\"g\\u001b\"", "group: " + NotPrintable)]
    [TestCase("validFrom", null, "validFrom: required")]
    [TestCase("validFrom", "null", "validFrom: required")]
    [TestCase("validFrom", "1793491200000", "validFrom: must be a string, not a number")]
    [TestCase("validFrom", "\"\"", "validFrom: must not be empty")]
    [TestCase("validFrom", "\"2026-11-01\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"2026-11-01T00:00:00\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"2026-11-01 00:00:00Z\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"2026-13-01T00:00:00Z\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"2026-11-01T00:00:00+0200\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"01/11/2026 00:00:00Z\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"yesterday\"", "validFrom: " + NotRfc3339)]
    [TestCase("validFrom", "\"2026-11-01T00:00:00.0001Z\"", "validFrom: more precise than a millisecond")]
    [TestCase("validTo", "\"2026-11-01T00:00:00Z\"", "validTo: must be after validFrom")]
    [TestCase("validTo", "\"2026-11-01T01:00:00+01:00\"", "validTo: must be after validFrom")]
    [TestCase("validTo", "\"2026-10-31T23:59:59.999Z\"", "validTo: must be after validFrom")]
    [TestCase("validTo", "\"2026-12-01\"", "validTo: " + NotRfc3339)]
    [TestCase("validTo", "\"\"", "validTo: must not be empty")]
    [TestCase("validTo", "0", "validTo: must be a string, not a number")]
    [TestCase("validTo", "\"2026-12-01T00:00:00.0000001Z\"", "validTo: more precise than a millisecond")]
    [TestCase("valid_to", "\"2026-12-01T00:00:00Z\"", "valid_to: unknown property; the properties are account, subject, team, group, validFrom, validTo")]
    [TestCase("ValidTo", "\"2026-12-01T00:00:00Z\"", "ValidTo: unknown property; the properties are account, subject, team, group, validFrom, validTo")]
    [TestCase("groupName", "\"g\"", "groupName: unknown property; the properties are account, subject, team, group, validFrom, validTo")]
    public async Task Post_InvalidProperty_Is400WithReasonAndWritesNothing(string name, string? value, string reason)
    {
        var account = QueryService.Tag();

        await AssertRejectedAsync(account, ItemWith(account, name, value), reason);
    }

    [TestCase("account")]
    [TestCase("subject")]
    [TestCase("team")]
    [TestCase("group")]
    public async Task Post_LongerThan256Characters_Is400(string name)
    {
        var account = QueryService.Tag();

        await AssertRejectedAsync(account, ItemWith(account, name, $"\"{new string('x', 257)}\""), $"{name}: longer than 256 characters");
    }

    [Test]
    public async Task Post_Exactly256CharactersAndSurrogatePairs_IsWritten()
    {
        var account = QueryService.Tag();
        var team = new string('t', 254) + "🙂";
        Assert.That(team, Has.Length.EqualTo(256));

        using var response = await _service.PostAsync($"[{QueryService.Item(account, team: team, extra: $",\"group\":\"{new string('g', 256)}\"")}]");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await _service.ReadAsync(account)).Single().GetProperty("team").GetString(), Is.EqualTo(team));
    }

    [TestCase("5", "assignment: must be a JSON object, not a number")]
    [TestCase("\"x\"", "assignment: must be a JSON object, not a string")]
    [TestCase("[]", "assignment: must be a JSON object, not an array")]
    [TestCase("null", "assignment: must be a JSON object, not null")]
    [TestCase("{}", "account: required")]
    public async Task Post_ItemNotAnAssignment_Is400(string item, string reason)
    {
        var account = QueryService.Tag();

        await AssertRejectedAsync(account, item, reason);
    }

    [Test]
    public async Task Post_PropertyGivenTwice_Is400()
    {
        var account = QueryService.Tag();
        var item = QueryService.Item(account, team: "render")[..^1] + ",\"team\":\"other\"}";

        await AssertRejectedAsync(account, item, "team: given more than once");
    }

    [Test]
    public async Task Post_SameAccountSubjectAndValidFromTwice_Is400()
    {
        var account = QueryService.Tag();
        var body = $"[{QueryService.Item(account, team: "a")},{QueryService.Item(account, team: "b", validFrom: "2026-11-01T01:00:00+01:00")}]";

        using var response = await _service.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { (1, "validFrom: item 0 has the same account, subject and validFrom") }));
            Assert.That(await _service.CountRowsAsync(account), Is.Zero);
        }
    }

    [Test]
    public async Task Post_SeveralInvalidItems_ListsEveryOneByIndex()
    {
        var account = QueryService.Tag();
        var body = $"[{QueryService.Item(account)},{ItemWith(account, "team", null)},{QueryService.Item(account, subject: "u-2")},"
            + $"{ItemWith(account, "validFrom", "\"soon\"")},7]";

        using var response = await _service.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
            {
                (1, "team: required"), (3, "validFrom: " + NotRfc3339), (4, "assignment: must be a JSON object, not a number"),
            }));
            Assert.That(Problems.Detail(problem), Is.EqualTo("3 of 5 assignments are invalid; nothing was written."));
            Assert.That(await _service.CountRowsAsync(account), Is.Zero);
        }
    }

    [TestCase("")]
    [TestCase("[")]
    [TestCase("[{\"account\":\"a\",}]")]
    [TestCase("[{\"account\":'a'}]")]
    [TestCase("nul")]
    [TestCase("[1] [2]")]
    public async Task Post_MalformedJson_Is400(string body)
    {
        using var response = await _service.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Does.StartWith("body: not valid JSON"));
    }

    [Test]
    public async Task Post_InvalidUtf8_Is400()
    {
        var account = QueryService.Tag();
        var bytes = Encoding.UTF8.GetBytes($"[{QueryService.Item(account, team: "XX")}]");
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        using var response = await _service.PostBytesAsync(bytes);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(await _service.CountRowsAsync(account), Is.Zero);
    }

    [Test]
    public async Task Post_TooDeep_Is400()
    {
        using var response = await _service.PostAsync(new string('[', 100) + new string(']', 100));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
    }

    [TestCase("{}", "body: must be a JSON array of assignments, not an object")]
    [TestCase("\"x\"", "body: must be a JSON array of assignments, not a string")]
    [TestCase("1", "body: must be a JSON array of assignments, not a number")]
    [TestCase("null", "body: must be a JSON array of assignments, not null")]
    [TestCase("[]", "body: the array is empty; send at least one assignment.")]
    public async Task Post_NotANonEmptyArray_Is400(string body, string detail)
    {
        using var response = await _service.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Does.StartWith(detail));
    }

    [Test]
    public async Task Post_SingleObject_Is400AndWritesNothing()
    {
        var account = QueryService.Tag();

        using var response = await _service.PostAsync(QueryService.Item(account));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(await _service.CountRowsAsync(account), Is.Zero);
    }

    [Test]
    public async Task Post_MoreThan10000Items_Is413AndWritesNothing()
    {
        var account = QueryService.Tag();
        var items = Enumerable.Range(0, 10_001).Select(i => $"{{\"account\":\"{account}\",\"subject\":\"{i}\",\"team\":\"t\",\"validFrom\":\"2026-11-01T00:00:00Z\"}}");

        using var response = await _service.PostAsync("[" + string.Join(",", items) + "]");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Detail(problem), Does.Contain("at most 10000"));
            Assert.That(await _service.CountRowsAsync(account), Is.Zero);
        }
    }

    [Test]
    public async Task Post_10000Items_WritesAllInOneRequest()
    {
        var account = QueryService.Tag();
        var items = Enumerable.Range(0, 10_000).Select(i => $"{{\"account\":\"{account}\",\"subject\":\"{i}\",\"team\":\"t\",\"validFrom\":\"2026-11-01T00:00:00Z\"}}");

        using var response = await _service.PostAsync("[" + string.Join(",", items) + "]");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"written\":10000}"));
        Assert.That(await _service.CountRowsAsync(account), Is.EqualTo(10_000));
    }

    [Test]
    public async Task Post_BodyOver1MiB_Is413AndWritesNothing()
    {
        var account = QueryService.Tag();
        var item = QueryService.Item(account, extra: $",\"group\":\"{new string('g', 200)}\"");
        var body = "[" + item + new string(' ', 1024 * 1024) + "]";

        using var response = await _service.PostAsync(body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.That(await _service.CountRowsAsync(account), Is.Zero);
    }

    [TestCase(null)]
    [TestCase("text/plain")]
    [TestCase("application/xml")]
    [TestCase("application/cloudevents-batch+json")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("application/json; charset=utf-16")]
    [TestCase("not a media type")]
    public async Task Post_NotJsonContentType_Is415AndWritesNothing(string? contentType)
    {
        var account = QueryService.Tag();

        using var response = await _service.PostAsync($"[{QueryService.Item(account)}]", contentType);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.That(await _service.CountRowsAsync(account), Is.Zero);
    }

    [TestCase("application/json; charset=utf-8")]
    [TestCase("Application/JSON")]
    [TestCase("application/json;charset=\"UTF-8\"")]
    public async Task Post_JsonContentTypeVariants_AreAccepted(string contentType)
    {
        var account = QueryService.Tag();

        using var response = await _service.PostAsync($"[{QueryService.Item(account)}]", contentType);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
