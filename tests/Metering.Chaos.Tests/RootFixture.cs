using Metering.Testing;

[assembly: Parallelizable(ParallelScope.Fixtures)]

namespace Metering.Chaos.Tests;

[SetUpFixture]
public sealed class RootFixture
{
    [OneTimeTearDown]
    public Task StopDependenciesAsync() => TestDependencies.DisposeStartedAsync();
}
