using System.Net;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// API.md, authentication: 401 without a known key, 403 for a known key of another role, and account-scoped keys
/// confined to their account, for both directory endpoints.
/// </summary>
[Integration]
public sealed class AssignmentAuthorizationTests
{
    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [TestCase(null)]
    [TestCase("Bearer")]
    [TestCase("Bearer unknown-key-0000000000000")]
    [TestCase("Bearer " + QueryService.AdminKey + "x")]
    [TestCase("Basic dGVzdC1hZG1pbi1rZXktMDAwMDAwMDAwMQ==")]
    [TestCase(QueryService.AdminKey)]
    public async Task Post_MissingOrUnknownKey_Is401AndWritesNothing(string? authorization)
    {
        var account = QueryService.Tag();
        using var client = _service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/directory/assignments")
        {
            Content = new StringContent($"[{QueryService.Item(account)}]", System.Text.Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
            Assert.That(await _service.CountRowsAsync(account), Is.Zero);
        }
    }

    [Test]
    public async Task Post_NoKeyAndUnsupportedContentType_Is401First()
    {
        using var response = await _service.PostAsync("<assignments/>", "application/xml", key: null);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
    }

    [TestCase(QueryService.FinanceKey)]
    [TestCase(QueryService.ViewerKey)]
    [TestCase(QueryService.ScopedViewerKey)]
    [TestCase(QueryService.SreKey)]
    [TestCase(QueryService.IngestKey)]
    public async Task Post_KeyWithoutAdminRole_Is403AndWritesNothing(string key)
    {
        var account = QueryService.Tag();

        using var response = await _service.PostAsync($"[{QueryService.Item(account)}]", key: key);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Detail(problem), Does.Contain("Admin"));
            Assert.That(await _service.CountRowsAsync(account), Is.Zero);
        }
    }

    [Test]
    public async Task Post_AdminKey_Writes()
    {
        var account = QueryService.Tag();

        using var response = await _service.PostAsync($"[{QueryService.Item(account)}]", key: QueryService.AdminKey);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"written\":1}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Post_ScopedAdminKeyForItsAccount_Writes()
    {
        var subject = "u-" + Guid.NewGuid().ToString("N");

        using var response = await _service.PostAsync(
            $"[{QueryService.Item(QueryService.ScopedAccount, subject)}]", key: QueryService.ScopedAdminKey);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await _service.ReadAsync(QueryService.ScopedAccount, subject), Has.Length.EqualTo(1));
    }

    [TestCase("someone-else")]
    [TestCase("SCOPED-ACCT")]
    [TestCase("scoped-acct ")]
    public async Task Post_ScopedAdminKeyWithAnotherAccount_Is403NamingItsAccountAndWritesNothing(string other)
    {
        var subject = "u-" + Guid.NewGuid().ToString("N");
        var body = $"[{QueryService.Item(QueryService.ScopedAccount, subject)},{QueryService.Item(other, subject)}]";

        using var response = await _service.PostAsync(body, key: QueryService.ScopedAdminKey);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Problems.Detail(problem), Does.Contain($"'{QueryService.ScopedAccount}'").And.Contain("item 1"));
            Assert.That(await _service.ReadAsync(QueryService.ScopedAccount, subject), Is.Empty);
            Assert.That(await _service.ReadAsync(other, subject), Is.Empty);
        }
    }

    [TestCase(null)]
    [TestCase("Bearer unknown-key-0000000000000")]
    public async Task Get_MissingOrUnknownKey_Is401(string? authorization)
    {
        using var client = _service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/directory/assignments?account=acme");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Unauthorized);
    }

    [TestCase(QueryService.SreKey)]
    [TestCase(QueryService.IngestKey)]
    public async Task Get_KeyWithoutReadRole_Is403(string key)
    {
        using var response = await _service.GetAsync(key, ("account", "acme"));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
    }

    [TestCase(QueryService.AdminKey)]
    [TestCase(QueryService.FinanceKey)]
    [TestCase(QueryService.ViewerKey)]
    public async Task Get_ReadRoles_SeeTheAssignments(string key)
    {
        var account = QueryService.Tag();
        using (var written = await _service.PostAsync($"[{QueryService.Item(account)}]"))
        {
            Assert.That(written.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var response = await _service.GetAsync(key, ("account", account));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(account));
    }

    [TestCase(QueryService.ScopedViewerKey)]
    [TestCase(QueryService.ScopedAdminKey)]
    public async Task Get_ScopedKeyWithoutAccount_SeesOnlyItsAccount(string key)
    {
        var subject = "u-" + Guid.NewGuid().ToString("N");
        using (var written = await _service.PostAsync(
            $"[{QueryService.Item(QueryService.ScopedAccount, subject)},{QueryService.Item("not-" + QueryService.ScopedAccount, subject)}]"))
        {
            Assert.That(written.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var response = await _service.GetAsync(key, ("subject", subject));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.EnumerateArray().Select(a => a.GetProperty("account").GetString()),
            Is.EqualTo(new[] { QueryService.ScopedAccount }));
    }

    [Test]
    public async Task Get_ScopedKeyWithItsOwnAccount_Is200()
    {
        using var response = await _service.GetAsync(QueryService.ScopedViewerKey, ("account", QueryService.ScopedAccount));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("acme")]
    [TestCase("SCOPED-ACCT")]
    public async Task Get_ScopedKeyWithAnotherAccount_Is403NamingItsAccount(string other)
    {
        using var response = await _service.GetAsync(QueryService.ScopedViewerKey, ("account", other));

        using var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        Assert.That(Problems.Detail(problem), Does.Contain($"'{QueryService.ScopedAccount}'"));
    }
}
