using Metering.Testing;

namespace Metering.Chaos.Tests;

/// <summary>The small run of <c>make chaos</c> that <c>make test</c> includes: the same engine, fewer events and kills.</summary>
[EndToEnd]
public sealed class ChaosRunTests
{
    [Test]
    [CancelAfter(170_000)]
    public async Task RunAsync_SmallRunWithKillsAndASecondInstance_MatchesTheOracle(CancellationToken cancellationToken)
    {
        var options = new ChaosOptions
        {
            Events = 30_000,
            Kills = 3,
            Accounts = 20,
            SubjectsPerAccount = 10,
            EventsPerSecond = 1_000,
            SecondInstance = true,
            Seed = 20_261_201,
            DrainTimeout = TimeSpan.FromSeconds(45),
        };
        using var output = new StringWriter();

        var result = await ChaosRun.RunAsync(options, output, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Mismatches, Is.Empty, output.ToString());
            Assert.That(result.Kills, Is.GreaterThanOrEqualTo(options.Kills), output.ToString());
            Assert.That(result.Events, Is.EqualTo(options.Events));
            Assert.That(result.Duplicates, Is.GreaterThan(0));
        }
    }
}
