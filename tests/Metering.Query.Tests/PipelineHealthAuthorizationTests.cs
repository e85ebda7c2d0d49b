using System.Net;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// API.md: pipeline health is for sre and admin keys; other roles 403, no or an unknown key 401. Account-scoped keys
/// are refused because the figures cover every account.
/// </summary>
[Integration]
public sealed class PipelineHealthAuthorizationTests
{
    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [TestCase(QueryService.SreKey)]
    [TestCase(QueryService.AdminKey)]
    public async Task Get_SreOrAdminKey_Is200(string key)
    {
        using var response = await GetAsync(_service, "Bearer " + key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [TestCase(QueryService.FinanceKey, "Finance")]
    [TestCase(QueryService.ViewerKey, "Viewer")]
    [TestCase(QueryService.IngestKey, "Ingest")]
    public async Task Get_OtherRole_Is403NamingTheRoles(string key, string role)
    {
        using var response = await GetAsync(_service, "Bearer " + key);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        Assert.That(Problems.Detail(problem), Does.Contain($"'{role}'").And.Contain("Sre").And.Contain("Admin"));
    }

    [TestCase(QueryService.ScopedSreKey)]
    [TestCase(QueryService.ScopedAdminKey)]
    public async Task Get_AccountScopedKey_Is403(string key)
    {
        using var response = await GetAsync(_service, "Bearer " + key);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        Assert.That(Problems.Detail(problem), Does.Contain("every account").And.Contain($"'{QueryService.ScopedAccount}'"));
    }

    [TestCase(null)]
    [TestCase("Bearer")]
    [TestCase("Bearer unknown-key-0000000000000")]
    [TestCase("Basic dGVzdC1zcmUta2V5LTAwMDAwMDAwMDAwMDAx")]
    public async Task Get_MissingOrUnknownKey_Is401(string? authorization)
    {
        using var response = await GetAsync(_service, authorization);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
    }

    [Test]
    public async Task Get_NoKeyAndBadSince_Is401First()
    {
        using var response = await GetAsync(_service, null, "?since=yesterday");

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Get_ClickHouseUnreachable_Is503WithTheReason()
    {
        var settings = new Dictionary<string, string>
        {
            ["ClickHouse:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ClickHouse:MaxRetryAttempts"] = "0",
        };
        await using var unreachable = await QueryService.StartAsync(settings: settings);

        using var response = await GetAsync(unreachable, "Bearer " + QueryService.SreKey);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.That(Problems.Detail(problem), Does.StartWith("ClickHouse cannot be read"));
    }

    private static async Task<HttpResponseMessage> GetAsync(QueryService service, string? authorization, string query = "")
    {
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/pipeline/health" + query);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }
}
