using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Metering.ClickHouse;
using Metering.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Metering.Query.Tests;

/// <summary>The query service in a test host, on a database of its own on the test ClickHouse server.</summary>
internal sealed class QueryService : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0000000001";
    public const string ScopedAdminKey = "test-scoped-admin-key-0001";
    public const string FinanceKey = "test-finance-key-000000001";
    public const string ViewerKey = "test-viewer-key-0000000001";
    public const string ScopedViewerKey = "test-scoped-viewer-key-001";
    public const string SreKey = "test-sre-key-00000000000001";
    public const string ScopedSreKey = "test-scoped-sre-key-0000001";
    public const string IngestKey = "test-ingest-key-0000000001";
    public const string ScopedAccount = "scoped-acct";

    private readonly TimeProvider? _clock;
    private readonly IReadOnlyDictionary<string, string>? _settings;
    private readonly bool _ownsDatabase;

    private QueryService(
        ClickHouseServer server, ClickHouseTestDatabase database, bool ownsDatabase, TimeProvider? clock, IReadOnlyDictionary<string, string>? settings)
    {
        ClickHouse = server;
        Database = database;
        _ownsDatabase = ownsDatabase;
        _clock = clock;
        _settings = settings;
    }

    public ClickHouseServer ClickHouse { get; }

    public ClickHouseTestDatabase Database { get; }

    /// <summary>
    /// Starts the service on a new database, or on <paramref name="database"/> (left to its owner); <paramref name="clock"/>
    /// replaces the system clock when given, and <paramref name="settings"/> override the configuration.
    /// </summary>
    public static async Task<QueryService> StartAsync(
        TimeProvider? clock = null, IReadOnlyDictionary<string, string>? settings = null, ClickHouseTestDatabase? database = null)
    {
        var server = await ClickHouseServer.GetAsync();
        var service = database is null
            ? new QueryService(server, await server.CreateDatabaseAsync("query"), ownsDatabase: true, clock, settings)
            : new QueryService(server, database, ownsDatabase: false, clock, settings);
        using var warmUp = service.CreateClient();
        return service;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ClickHouse:Url", ClickHouse.Url.ToString());
        builder.UseSetting("ClickHouse:Database", Database.Name);
        builder.UseSetting("ClickHouse:ApplyMigrations", "false"); // CreateDatabaseAsync applied them.
        builder.UseSetting("Meters", Path.Combine(RepositoryPaths.Root, "schemas", "meters.json"));
        var keys = new (string Key, string Role, string? Account)[]
        {
            (AdminKey, "admin", null), (ScopedAdminKey, "admin", ScopedAccount), (FinanceKey, "finance", null),
            (ViewerKey, "viewer", null), (ScopedViewerKey, "viewer", ScopedAccount), (SreKey, "sre", null), (ScopedSreKey, "sre", ScopedAccount),
            (IngestKey, "ingest", null),
        };
        for (var i = 0; i < keys.Length; i++)
        {
            builder.UseSetting($"Auth:Keys:{i}:Key", keys[i].Key);
            builder.UseSetting($"Auth:Keys:{i}:Role", keys[i].Role);
            if (keys[i].Account is { } account)
            {
                builder.UseSetting($"Auth:Keys:{i}:Account", account);
            }
        }

        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (name, value) in _settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(name, value);
        }

        if (_clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(clock));
        }
    }

    public Task<HttpResponseMessage> PostAsync(string body, string? contentType = "application/json", string? key = AdminKey) =>
        PostBytesAsync(Encoding.UTF8.GetBytes(body), contentType, key);

    public async Task<HttpResponseMessage> PostBytesAsync(byte[] body, string? contentType = "application/json", string? key = AdminKey)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/directory/assignments") { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary><c>PUT <paramref name="path"/></c> with <paramref name="body"/> as <paramref name="contentType"/> (none when null).</summary>
    public async Task<HttpResponseMessage> PutAsync(string path, string body, string? contentType = "application/json", string? key = AdminKey)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary><c>GET /v1/directory/assignments</c> with the given query parameters (escaped here).</summary>
    public Task<HttpResponseMessage> GetAsync(string? key = AdminKey, params (string Name, string Value)[] parameters) =>
        GetPathAsync("/v1/directory/assignments", key, parameters);

    /// <summary><c>GET <paramref name="path"/></c> with the given query parameters (escaped here).</summary>
    public async Task<HttpResponseMessage> GetPathAsync(string path, string? key = AdminKey, params (string Name, string Value)[] parameters)
    {
        using var client = CreateClient();
        var query = string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Get, path + (query.Length > 0 ? "?" + query : ""));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The assignments of <paramref name="account"/> that <c>GET</c> answers, asserting a 200.</summary>
    public async Task<JsonElement[]> ReadAsync(string account, string? subject = null)
    {
        using var response = subject is null
            ? await GetAsync(AdminKey, ("account", account))
            : await GetAsync(AdminKey, ("account", account), ("subject", subject));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), text);
        using var document = JsonDocument.Parse(text);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>How many rows of <paramref name="account"/> the table holds, replaced ones included: 0 proves nothing was written.</summary>
    public async Task<ulong> CountRowsAsync(string account) =>
        await Database.Client.QueryScalarAsync(
            $"SELECT count() FROM assignments WHERE account = {ClickHouseSql.Literal(account)}", TestJsonContext.Default.UInt64);

    /// <summary>A JSON assignment; <paramref name="extra"/> is appended raw (e.g. <c>,"group":"g"</c>).</summary>
    public static string Item(string account, string subject = "u-1", string team = "render", string validFrom = "2026-11-01T00:00:00Z",
        string extra = "") =>
        $$"""{"account":{{JsonSerializer.Serialize(account)}},"subject":{{JsonSerializer.Serialize(subject)}},"team":{{JsonSerializer.Serialize(team)}},"validFrom":"{{validFrom}}"{{extra}}}""";

    /// <summary>A fresh account name, so tests sharing a database never see each other's rows.</summary>
    public static string Tag() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }
}
