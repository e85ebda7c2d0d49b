using System.Net;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>Rewrites replace in the order they were made even when the clock does not move or steps back.</summary>
[Integration]
public sealed class AssignmentVersionTests
{
    private static readonly string[] LastWrite = ["d"];
    private readonly SettableClock _clock = new() { Now = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero) };
    private QueryService _service = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _service = await QueryService.StartAsync(_clock);

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [Test]
    public async Task Post_RewritesInTheSameMillisecondAndAfterTheClockSteppedBack_LastOneWins()
    {
        var account = QueryService.Tag();
        foreach (var (team, step) in new[] { ("a", TimeSpan.Zero), ("b", TimeSpan.Zero), ("c", TimeSpan.FromSeconds(-5)), ("d", TimeSpan.Zero) })
        {
            _clock.Now += step;
            using var response = await _service.PostAsync($"[{QueryService.Item(account, team: team)}]");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }

        var assignments = await _service.ReadAsync(account);

        Assert.That(assignments.Select(a => a.GetProperty("team").GetString()), Is.EqualTo(LastWrite));
    }

    /// <summary>
    /// Wall-clock time that only moves when told, backwards too (the shared fake clock only goes forward);
    /// timers and timestamps stay the system's, so the ClickHouse client's timeouts work as usual.
    /// </summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
