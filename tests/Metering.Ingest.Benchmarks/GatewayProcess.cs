using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Metering.Ingest.Benchmarks;

/// <summary>The built ingest gateway as its own process, as production runs it.</summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    /// <summary>The CPU time the gateway has used so far, user and system.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static GatewayProcess Start(string bootstrapServers, string topic, string key)
    {
        // Benchmarks live in artifacts/bin/<project>/<configuration>/: the gateway is next door.
        var configuration = Path.GetFileName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var assembly = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Metering.Ingest", configuration, "Metering.Ingest.dll"));
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly, "--contentRoot", Path.GetDirectoryName(assembly)! },
            UseShellExecute = false,
            Environment =
            {
                ["Urls"] = url,
                ["Kafka__BootstrapServers"] = bootstrapServers,
                ["Kafka__Topic"] = topic,
                ["Auth__Keys__0__Key"] = key,
                ["Auth__Keys__0__Role"] = "ingest",
                ["Logging__LogLevel__Default"] = "Warning",
                ["DOTNET_gcServer"] = "1",
            },
        };
        return new GatewayProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {assembly}."), url);
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with code {_process.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url + "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The gateway was not ready at {Url} within {timeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
