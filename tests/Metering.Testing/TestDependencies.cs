namespace Metering.Testing;

/// <summary>Stops the servers a test run started; called from each test assembly's root set-up fixture.</summary>
public static class TestDependencies
{
    public static async Task DisposeStartedAsync()
    {
        await ClickHouseServer.DisposeIfStartedAsync();
        await KafkaBroker.DisposeIfStartedAsync();
    }
}
