using System.Globalization;

namespace Metering.Chaos.Pipeline;

/// <summary>
/// Kills the main aggregator with SIGKILL at random points of the run and restarts it after a short random pause; a
/// second instance joins, leaves gracefully, joins again and is killed. Points are shares of the events sent, so every
/// planned action happens however fast the run goes.
/// </summary>
internal sealed class ChaosMonkey(ChaosPipeline pipeline, ChaosOptions options, Func<double> progress, Func<bool> done, RunLog log)
    : IAsyncDisposable
{
    private readonly Random _random = new(options.Seed ^ 0x5EED);
    private readonly List<AggregatorProcess> _started = [];
    private AggregatorProcess? _main;
    private AggregatorProcess? _second;
    private int _mainStarts;
    private int _secondStarts;

    public int Kills { get; private set; }

    /// <summary>Aggregator exits nobody asked for (a crash), with the process output.</summary>
    public List<string> UnexpectedExits { get; } = [];

    public async Task StartMainAsync(CancellationToken cancellationToken)
    {
        _main = Start(main: true);
        await _main.WaitReadyAsync(TimeSpan.FromSeconds(120), cancellationToken);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var (at, action) in Plan())
        {
            while (progress() < at && !done())
            {
                CheckMain();
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }

            CheckMain();
            switch (action)
            {
                case Action.KillMain:
                    var victim = _main!;
                    await KillAsync(victim);
                    await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(300, 3_000)), cancellationToken);
                    _main = Start(main: true);
                    break;
                case Action.StartSecond:
                    _second = Start(main: false);
                    break;
                case Action.StopSecond when _second is not null:
                    var graceful = await _second.StopAsync(TimeSpan.FromSeconds(60));
                    log.Line(graceful
                        ? $"stop: SIGTERM {_second.Name} (pid {_second.Id}), it left the group (exit code {_second.ExitCode})"
                        : $"stop: {_second.Name} (pid {_second.Id}) did not stop within 60 s of SIGTERM and was killed");
                    _second = null;
                    break;
                case Action.KillSecond when _second is not null:
                    await KillAsync(_second);
                    _second = null;
                    break;
            }

            if (done())
            {
                // The generator finished before this point: space the rest out a little.
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(500, 2_000)), cancellationToken);
            }
        }
    }

    /// <summary>Leaves exactly one aggregator running, for the drain.</summary>
    public async Task SettleAsync()
    {
        if (_second is not null)
        {
            await _second.StopAsync(TimeSpan.FromSeconds(60));
            log.Line($"stop: SIGTERM {_second.Name} (pid {_second.Id}) before the drain");
            _second = null;
        }

        CheckMain();
    }

    public string RecentOutput => _main?.RecentOutput ?? "";

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _started)
        {
            await process.DisposeAsync();
        }
    }

    private List<(double At, Action Action)> Plan()
    {
        var plan = new List<(double, Action)>();
        for (var k = 1; k <= options.Kills; k++)
        {
            var at = (k - 0.5 + ((_random.NextDouble() - 0.5) * 0.7)) / options.Kills * 0.95;
            plan.Add((Math.Clamp(at, 0.005, 0.95), Action.KillMain));
        }

        if (options.SecondInstance)
        {
            plan.Add((0.25, Action.StartSecond));
            plan.Add((0.50, Action.StopSecond));
            plan.Add((0.60, Action.StartSecond));
            plan.Add((0.82, Action.KillSecond));
        }

        return [.. plan.OrderBy(p => p.Item1)];
    }

    private AggregatorProcess Start(bool main)
    {
        var name = main ? $"aggregator-1.{++_mainStarts}" : $"aggregator-2.{++_secondStarts}";
        var process = AggregatorProcess.Start(name, pipeline.AggregatorEnvironment());
        _started.Add(process);
        log.Line($"start: {name} (pid {process.Id}) at {Share(progress())} of events");
        return process;
    }

    private async Task KillAsync(AggregatorProcess process)
    {
        await process.KillAsync();
        Kills++;
        log.Line($"kill {Kills}: SIGKILL {process.Name} (pid {process.Id}) at {Share(progress())} of events");
    }

    /// <summary>An aggregator that exits by itself is a finding, not part of the plan: note it and start another.</summary>
    public void CheckMain()
    {
        if (_main is { HasExited: true } main)
        {
            var message = $"{main.Name} (pid {main.Id}) exited by itself with code {main.ExitCode}";
            UnexpectedExits.Add(message + ":" + Environment.NewLine + main.RecentOutput);
            log.Line("crash: " + message);
            _main = Start(main: true);
        }
    }

    private static string Share(double value) => value.ToString("P1", CultureInfo.InvariantCulture);

    private enum Action
    {
        KillMain,
        StartSecond,
        StopSecond,
        KillSecond,
    }
}
