using System.Net;
using System.Text.Json;
using Metering.ClickHouse;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary><c>GET</c> and <c>PUT /v1/accounts/{account}/settings</c>: the personal-data setting, its key, and strict bodies.</summary>
[Integration]
public sealed class AccountSettingsEndpointsTests
{
    private static readonly string[] Toggles = ["false", "true", "false"];

    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [Test]
    public async Task Get_AccountNeverChanged_PersonalDataIsShown()
    {
        var account = QueryService.Tag();

        var text = await GetOkAsync(account);

        Assert.That(text, Is.EqualTo($$"""{"account":"{{account}}","personalData":true}"""));
    }

    [Test]
    public async Task Put_ToggledOffOnOff_AnswersAndStoresEachValueWithOneHashKey()
    {
        var account = QueryService.Tag();
        var answers = new List<string>();
        foreach (var value in Toggles)
        {
            answers.Add(await PutOkAsync(account, $$"""{"personalData": {{value}}}"""));
        }

        var stored = await GetOkAsync(account);
        var keys = await _service.Database.Client.QueryAsync(
            $"SELECT DISTINCT hash_key FROM account_settings WHERE account = {ClickHouseSql.Literal(account)}", TestJsonContext.Default.JsonElement);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers, Is.EqualTo(Toggles.Select(v => $$"""{"account":"{{account}}","personalData":{{v}}}""")));
            Assert.That(stored, Is.EqualTo($$"""{"account":"{{account}}","personalData":false}"""));
            Assert.That(keys.Select(k => k.GetProperty("hash_key").GetString()), Has.Exactly(1).Items.And.All.Match("^[0-9a-f]{64}$"),
                "one key, made with the first row and kept by every later write");
        }
    }

    [Test]
    public async Task Put_TwoAccounts_GetTheirOwnKeys()
    {
        var (first, second) = (QueryService.Tag(), QueryService.Tag());
        await PutOkAsync(first, """{"personalData":false}""");
        await PutOkAsync(second, """{"personalData":false}""");

        var keys = await _service.Database.Client.QueryAsync(
            $"SELECT hash_key FROM account_settings FINAL WHERE account IN ({ClickHouseSql.Literal(first)}, {ClickHouseSql.Literal(second)})",
            TestJsonContext.Default.JsonElement);

        Assert.That(keys.Select(k => k.GetProperty("hash_key").GetString()).Distinct().Count(), Is.EqualTo(2));
    }

    [TestCase("", "body: not valid JSON")]
    [TestCase("personalData=false", "body: not valid JSON")]
    [TestCase("""{"personalData":false""", "body: not valid JSON")]
    [TestCase("[]", """body: must be a JSON object such as {"personalData": false}, not an array""")]
    [TestCase("false", """body: must be a JSON object such as {"personalData": false}, not a boolean""")]
    [TestCase("{}", "personalData: required (true shows the account's subjects in reports, false shows pseudonyms)")]
    [TestCase("""{"personalData":"false"}""", "personalData: must be true or false, not a string")]
    [TestCase("""{"personalData":0}""", "personalData: must be true or false, not a number")]
    [TestCase("""{"personalData":null}""", "personalData: must be true or false, not null")]
    [TestCase("""{"personalData":false,"personalData":true}""", "personalData: given more than once")]
    [TestCase("""{"personalData":false,"hashKey":"x"}""", "hashKey: unknown property; the only property is personalData")]
    [TestCase("""{"PersonalData":false}""", "PersonalData: unknown property; the only property is personalData")]
    [TestCase("""{"a\u0001":false}""", "a?: unknown property; the only property is personalData")]
    public async Task Put_InvalidBody_Is400WithTheReasonAndWritesNothing(string body, string reason)
    {
        var account = QueryService.Tag();

        using var response = await _service.PutAsync(Path(account), body);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Detail(problem), Does.StartWith(reason));
            Assert.That(await CountRowsAsync(account), Is.Zero);
        }
    }

    [TestCase("text/plain")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("application/json; charset=latin1")]
    [TestCase(null)]
    public async Task Put_NotJsonContentType_Is415(string? contentType)
    {
        var account = QueryService.Tag();

        using var response = await _service.PutAsync(Path(account), """{"personalData":false}""", contentType);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.That(await CountRowsAsync(account), Is.Zero);
    }

    [Test]
    public async Task Put_BodyOverTheLimit_Is413()
    {
        var account = QueryService.Tag();

        using var response = await _service.PutAsync(Path(account), $$"""{"personalData":false{{new string(' ', 5000)}}}""");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.That(Problems.Detail(problem), Is.EqualTo("The body is larger than 4096 bytes."));
    }

    [TestCase("%01acct", "account: contains a control character or an unpaired surrogate")]
    [TestCase("a%0Ab", "account: contains a control character or an unpaired surrogate")]
    public async Task Request_BadAccountInPath_Is400(string escapedAccount, string reason)
    {
        using var get = await _service.GetPathAsync($"/v1/accounts/{escapedAccount}/settings");
        using var put = await _service.PutAsync($"/v1/accounts/{escapedAccount}/settings", """{"personalData":false}""");

        using var getProblem = await Problems.AssertAsync(get, HttpStatusCode.BadRequest);
        using var putProblem = await Problems.AssertAsync(put, HttpStatusCode.BadRequest);
        Assert.That((Problems.Detail(getProblem), Problems.Detail(putProblem)), Is.EqualTo((reason, reason)));
    }

    [Test]
    public async Task Request_AccountLongerThan256Characters_Is400()
    {
        using var response = await _service.GetPathAsync($"/v1/accounts/{new string('a', 257)}/settings");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Problems.Detail(problem), Is.EqualTo("account: longer than 256 characters"));
    }

    [Test]
    public async Task Request_AccountWithQuotesAndUnicode_IsStoredAsIs()
    {
        var account = QueryService.Tag() + "-o'brien\\ \"ü\" -- ;";

        await PutOkAsync(Uri.EscapeDataString(account), """{"personalData":false}""");
        var text = await GetOkAsync(Uri.EscapeDataString(account));

        using var body = JsonDocument.Parse(text);
        Assert.That((body.RootElement.GetProperty("account").GetString(), body.RootElement.GetProperty("personalData").GetBoolean()),
            Is.EqualTo((account, false)));
    }

    [Test]
    public async Task Request_ClickHouseUnreachable_Is503()
    {
        var settings = new Dictionary<string, string>
        {
            ["ClickHouse:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ClickHouse:MaxRetryAttempts"] = "0",
        };
        await using var unreachable = await QueryService.StartAsync(settings: settings);

        using var get = await unreachable.GetPathAsync(Path("acme"));
        using var put = await unreachable.PutAsync(Path("acme"), """{"personalData":false}""");

        using var getProblem = await Problems.AssertAsync(get, HttpStatusCode.ServiceUnavailable);
        using var putProblem = await Problems.AssertAsync(put, HttpStatusCode.ServiceUnavailable);
        Assert.That(Problems.Detail(putProblem), Does.StartWith("ClickHouse cannot be reached"));
    }

    private static string Path(string account) => $"/v1/accounts/{account}/settings";

    private async Task<string> GetOkAsync(string account)
    {
        using var response = await _service.GetPathAsync(Path(account), QueryService.ViewerKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text;
    }

    private async Task<string> PutOkAsync(string account, string body)
    {
        using var response = await _service.PutAsync(Path(account), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text;
    }

    private async Task<ulong> CountRowsAsync(string account) =>
        await _service.Database.Client.QueryScalarAsync(
            $"SELECT count() FROM account_settings WHERE account = {ClickHouseSql.Literal(account)}", TestJsonContext.Default.UInt64);
}
