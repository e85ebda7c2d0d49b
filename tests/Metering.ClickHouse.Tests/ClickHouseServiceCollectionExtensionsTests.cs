using System.Net;
using System.Net.Sockets;
using Metering.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Metering.ClickHouse.Tests;

[TestFixture]
public sealed class ClickHouseServiceCollectionExtensionsTests
{
    [Test]
    public async Task AddClickHouse_InvalidOptions_HostFailsToStartNamingTheKey()
    {
        using var host = CreateHost(new() { ["ClickHouse:Database"] = "bad-name", ["ClickHouse:ApplyMigrations"] = "false" });

        var e = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(e.Message, Does.Contain("ClickHouse:Database"));
        await host.StopAsync();
    }

    [Test]
    public void AddClickHouse_Options_BindsSectionAndResolvesClient()
    {
        using var host = CreateHost(new()
        {
            ["ClickHouse:Url"] = "http://127.0.0.1:18123",
            ["ClickHouse:Database"] = "bound",
            ["ClickHouse:RequestTimeout"] = "00:00:05",
        });

        var options = host.Services.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
        var client = host.Services.GetRequiredService<ClickHouseClient>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(client.Database, Is.EqualTo("bound"));
            Assert.That(client.Endpoint, Is.EqualTo(new Uri("http://127.0.0.1:18123/")));
            Assert.That(host.Services.GetRequiredService<ClickHouseMigrator>(), Is.Not.Null);
        }
    }

    [Test]
    [Category("Integration")]
    public void AddClickHouse_ServerUnreachable_StartGivesUpNamingTheUrl()
    {
        var port = ClosedPort();
        using var host = CreateHost(new()
        {
            ["ClickHouse:Url"] = $"http://127.0.0.1:{port}",
            ["ClickHouse:StartupTimeout"] = "00:00:01",
            ["ClickHouse:MaxRetryAttempts"] = "1",
            ["ClickHouse:RetryDelay"] = "00:00:00.010",
        });

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(e.Message, Does.Contain($"http://127.0.0.1:{port}/").And.Contain("ClickHouse:StartupTimeout"));
    }

    [Test]
    [Category("Integration")]
    public async Task AddClickHouse_HostStart_AppliesMigrations()
    {
        var server = await ClickHouseServer.GetAsync();
        var database = $"host_{Guid.NewGuid():N}";
        using var host = CreateHost(new() { ["ClickHouse:Url"] = server.Url.ToString(), ["ClickHouse:Database"] = database });
        try
        {
            await host.StartAsync();
            var applied = await host.Services.GetRequiredService<ClickHouseMigrator>().GetAppliedAsync();

            Assert.That(applied.Keys, Is.EquivalentTo(ClickHouseMigrator.Migrations.Select(m => m.Name)));
        }
        finally
        {
            await host.StopAsync();
            await server.CreateClient(database).ExecuteAsync(
                "DROP DATABASE IF EXISTS " + database, new ClickHouseQueryOptions { Database = ClickHouseQueryOptions.NoDatabase });
        }
    }

    private static IHost CreateHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddClickHouse();
        return builder.Build();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
