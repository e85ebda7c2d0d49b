using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// API.md, Authentication: every endpoint of the query service × every role × scoped and unscoped keys answers the
/// documented 200, 401 or 403. A scoped key is admitted for its own account only, and never to figures over every
/// account (pipeline health).
/// </summary>
[Integration]
public sealed class AuthorizationMatrixTests
{
    private const string OtherAccount = "other-acct";

    /// <summary>The keys of <see cref="QueryService"/>: role and the account a key is scoped to.</summary>
    private static readonly (string Name, string? Key, string? Role, bool Scoped)[] Keys =
    [
        ("no key", null, null, false),
        ("unknown key", "unknown-key-000000000000000", null, false),
        ("admin", QueryService.AdminKey, "admin", false),
        ("scoped admin", QueryService.ScopedAdminKey, "admin", true),
        ("finance", QueryService.FinanceKey, "finance", false),
        ("viewer", QueryService.ViewerKey, "viewer", false),
        ("scoped viewer", QueryService.ScopedViewerKey, "viewer", true),
        ("sre", QueryService.SreKey, "sre", false),
        ("scoped sre", QueryService.ScopedSreKey, "sre", true),
        ("ingest", QueryService.IngestKey, "ingest", false),
    ];

    /// <summary>
    /// Every endpoint: the roles API.md admits, whether a scoped key may use it for its account, and the request for
    /// an account (null: the endpoint takes none).
    /// </summary>
    private static readonly Endpoint[] Endpoints =
    [
        new("GET /v1/meters", ["admin", "finance", "viewer", "sre"], ScopedAllowed: true, TakesAccount: false,
            _ => Get("/v1/meters")),
        new("GET /v1/meters/{meter}/usage", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/meters/api_requests/usage?account={account}&from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z")),
        new("GET /v1/reports/monthly", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/reports/monthly?month=2026-10&account={account}")),
        new("GET /v1/reports/monthly as CSV", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/reports/monthly?month=2026-10&account={account}&format=csv")),
        new("GET /v1/reports/monthly as XLSX", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/reports/monthly?month=2026-10&account={account}&format=xlsx")),
        new("GET /v1/meters/{meter}/usage as CSV", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/meters/api_requests/usage?account={account}&from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z&format=csv")),
        new("GET /v1/directory/assignments", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/directory/assignments?account={account}")),
        new("POST /v1/directory/assignments", ["admin"], ScopedAllowed: true, TakesAccount: true,
            account => Post("/v1/directory/assignments",
                $$"""[{"account":"{{account}}","subject":"u-1","team":"render","validFrom":"2026-10-01T00:00:00Z"}]""")),
        new("GET /v1/pipeline/health", ["sre", "admin"], ScopedAllowed: false, TakesAccount: false,
            _ => Get("/v1/pipeline/health")),
        new("GET /v1/accounts/{account}/subjects", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/accounts/{account}/subjects?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z")),
        new("GET /v1/accounts/{account}/settings", ["admin", "finance", "viewer"], ScopedAllowed: true, TakesAccount: true,
            account => Get($"/v1/accounts/{account}/settings")),
        new("PUT /v1/accounts/{account}/settings", ["admin"], ScopedAllowed: true, TakesAccount: true,
            account => Send(HttpMethod.Put, $"/v1/accounts/{account}/settings", """{"personalData":true}""")),
    ];

    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var endpoint in Endpoints)
        {
            foreach (var key in Keys)
            {
                // A scoped key asks for its own account, an unscoped one for any.
                var account = key.Scoped ? QueryService.ScopedAccount : "some-acct";
                var expected = key.Role is null ? HttpStatusCode.Unauthorized
                    : !endpoint.Roles.Contains(key.Role) ? HttpStatusCode.Forbidden
                    : key.Scoped && !endpoint.ScopedAllowed ? HttpStatusCode.Forbidden
                    : HttpStatusCode.OK;
                yield return new TestCaseData(endpoint.Name, key.Name, account, expected).SetName($"{endpoint.Name} with {key.Name} is {(int)expected}");
                if (key.Scoped && endpoint.TakesAccount && expected == HttpStatusCode.OK)
                {
                    yield return new TestCaseData(endpoint.Name, key.Name, OtherAccount, HttpStatusCode.Forbidden)
                        .SetName($"{endpoint.Name} with {key.Name} for another account is 403");
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Request_ByRoleAndScope_AnswersTheDocumentedStatus(string endpointName, string keyName, string account, HttpStatusCode expected)
    {
        var endpoint = Endpoints.Single(e => e.Name == endpointName);
        var key = Keys.Single(k => k.Name == keyName);
        using var client = _service.CreateClient();
        using var request = endpoint.Request(account);
        if (key.Key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        }

        using var response = await client.SendAsync(request);

        if (expected == HttpStatusCode.OK)
        {
            Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        }
        else
        {
            using var problem = await Problems.AssertAsync(response, expected);
        }
    }

    private static HttpRequestMessage Get(string pathAndQuery) => new(HttpMethod.Get, pathAndQuery);

    private static HttpRequestMessage Post(string path, string json) => Send(HttpMethod.Post, path, json);

    private static HttpRequestMessage Send(HttpMethod method, string path, string json) =>
        new(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private sealed record Endpoint(string Name, string[] Roles, bool ScopedAllowed, bool TakesAccount, Func<string, HttpRequestMessage> Request);
}
