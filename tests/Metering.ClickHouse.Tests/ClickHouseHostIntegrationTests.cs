using Metering.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Metering.ClickHouse.Tests;

/// <summary><see cref="ClickHouseServiceCollectionExtensions.AddClickHouse(IServiceCollection)"/> in a host that starts.</summary>
[TestFixture]
[Integration]
public sealed class ClickHouseHostIntegrationTests
{
    [Test]
    public void AddClickHouse_ServerUnreachable_StartGivesUpNamingTheUrl()
    {
        var port = FreePort.Next();
        using var host = ClickHouseServiceCollectionExtensionsTests.CreateHost(new()
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
    public async Task AddClickHouse_HostStart_AppliesMigrations()
    {
        var server = await ClickHouseServer.GetAsync();
        var database = $"host_{Guid.NewGuid():N}";
        using var host = ClickHouseServiceCollectionExtensionsTests.CreateHost(new() { ["ClickHouse:Url"] = server.Url.ToString(), ["ClickHouse:Database"] = database });
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
}
