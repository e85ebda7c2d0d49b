using Metering.Testing;

namespace Metering.Kafka.Tests;

/// <summary>Stops the shared broker after all tests, if one was started.</summary>
[SetUpFixture]
public sealed class KafkaTestSetUp
{
    [OneTimeTearDown]
    public async Task OneTimeTearDown() => await KafkaBroker.DisposeIfStartedAsync();
}
