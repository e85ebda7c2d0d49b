using System.Collections.Concurrent;
using System.Diagnostics;
using Metering.Testing;

namespace Metering.Chaos.Pipeline;

/// <summary>One aggregator instance as its own process: killed with SIGKILL or stopped with SIGTERM.</summary>
internal sealed class AggregatorProcess : IAsyncDisposable
{
    private const int MaxLogLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private AggregatorProcess(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }

    public string Url { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string RecentOutput => string.Join(Environment.NewLine, _log);

    public static AggregatorProcess Start(string name, IReadOnlyDictionary<string, string> environment)
    {
        var assembly = RepositoryPaths.ServiceAssembly("Metering.Aggregator");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly, "--contentRoot", Path.GetDirectoryName(assembly)! },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Metering.Aggregator.");
        var aggregator = new AggregatorProcess(name, process, url);
        process.OutputDataReceived += (_, e) => aggregator.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => aggregator.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return aggregator;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:{Environment.NewLine}{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url + "/health/ready"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet.
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"{Name} was not ready at {Url} within {timeout}:{Environment.NewLine}{RecentOutput}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to flush, store offsets or leave its group.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, a graceful stop (drain, flush, leave the group); a kill if it takes longer than <paramref name="timeout"/>.</summary>
    /// <returns>Whether it stopped by itself.</returns>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        // .NET has no API for SIGTERM; kill(1) sends it.
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", $"{_process.Id}"]) { UseShellExecute = false }))
        {
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > MaxLogLines && _log.TryDequeue(out _))
        {
        }
    }
}
