using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Metering.Testing;

/// <summary>
/// A Metering service started as its own process (<c>dotnet Metering.X.dll</c>), as <c>make run</c>
/// starts it. Its output is kept for the failure message; disposing kills it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int MaxLogLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ServiceProcess(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }

    /// <summary>The service's HTTP base address.</summary>
    public string Url { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the process, e.g. to read <c>/proc/&lt;id&gt;/status</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the process wrote.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _log);

    /// <summary>Starts <paramref name="project"/> on a free loopback port with <paramref name="environment"/>.</summary>
    public static ServiceProcess Start(string project, IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var assembly = RepositoryPaths.ServiceAssembly(project);
        var url = $"http://127.0.0.1:{port ?? FreePort.Next()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly, "--contentRoot", Path.GetDirectoryName(assembly)! },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {project}.");
        var service = new ServiceProcess(project, process, url);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200, failing with the process output otherwise.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, string path = "/health/ready")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WaitAsync(
            async () =>
            {
                if (HasExited)
                {
                    Assert.Fail($"{Name} exited with code {_process.ExitCode}:{Environment.NewLine}{RecentOutput}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(Url + path));
                    return response.IsSuccessStatusCode;
                }
                catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
                {
                    // A probe that outlasts the client's timeout (a loaded machine, a service still starting)
                    // means not ready yet, like a refused connection; only the overall deadline fails the test.
                    return false;
                }
            },
            timeout,
            $"{Name} ready at {Url}{path}; its output:{Environment.NewLine}{RecentOutput}");
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

    /// <summary>
    /// Asks the process to stop, like <c>kill -TERM</c> (what <c>make run</c> and Kubernetes send), and waits
    /// up to <paramref name="timeout"/> for it to exit, failing with its output otherwise.
    /// </summary>
    /// <returns>The exit code.</returns>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} did not exit within {timeout} of SIGTERM:{Environment.NewLine}{RecentOutput}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process at once, like <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
