using Metering.Testing;

namespace Metering.ClickHouse.Tests;

/// <summary>Stops the shared ClickHouse server after all tests, if one was started.</summary>
[SetUpFixture]
public sealed class ClickHouseTestSetUp
{
    [OneTimeTearDown]
    public async Task OneTimeTearDown() => await ClickHouseServer.DisposeIfStartedAsync();
}
