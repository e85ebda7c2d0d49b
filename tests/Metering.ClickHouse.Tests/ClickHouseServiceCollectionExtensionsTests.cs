using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Metering.ClickHouse.Tests;

[TestFixture]
public sealed class ClickHouseServiceCollectionExtensionsTests
{
    [Test]
    public void AddClickHouse_InvalidOptions_HostFailsToStartNamingTheKey()
    {
        using var host = CreateHost(new() { ["ClickHouse:Database"] = "bad-name", ["ClickHouse:ApplyMigrations"] = "false" });

        var e = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(e.Message, Does.Contain("ClickHouse:Database"));
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

    internal static IHost CreateHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddClickHouse();
        return builder.Build();
    }
}
