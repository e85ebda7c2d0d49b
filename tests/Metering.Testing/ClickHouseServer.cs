using System.Diagnostics;
using Metering.ClickHouse;

namespace Metering.Testing;

/// <summary>
/// The ClickHouse server integration tests share: the one at <c>METERING_TEST_CLICKHOUSE</c> (an HTTP URL) when set,
/// otherwise a private server started on first use with <c>scripts/clickhouse-server</c> (free loopback ports, a
/// fresh data directory under <c>.cache/test-clickhouse/</c>, stopped with the test process even when that is
/// killed). Give each fixture its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class ClickHouseServer : IAsyncDisposable
{
    /// <summary>The environment variable that names an external server's HTTP interface.</summary>
    public const string EnvironmentVariable = "METERING_TEST_CLICKHOUSE";

    private const int StderrLines = 40;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lock Gate = new();
    private static Task<ClickHouseServer>? _instance;

    private readonly string? _directory;
    private readonly int _tcpPort;
    private Process? _process;
    private readonly Queue<string> _stderr;
    private readonly HttpClient _httpClient;

    private ClickHouseServer(Uri url, Process? process, string? directory, Queue<string> stderr, int tcpPort = 0)
    {
        Url = url;
        _process = process;
        _directory = directory;
        _tcpPort = tcpPort;
        _stderr = stderr;
        _httpClient = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The HTTP interface, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Whether this run started the server (as opposed to using <c>METERING_TEST_CLICKHOUSE</c>).</summary>
    public bool IsLocal => _process is not null;

    /// <summary>The server's process, when this run started it.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>Returns the shared server, starting it on first use.</summary>
    /// <exception cref="InvalidOperationException">The server cannot be started or reached; the message says why and what to do.</exception>
    public static Task<ClickHouseServer> GetAsync()
    {
        lock (Gate)
        {
            return _instance ??= Task.Run(StartAsync);
        }
    }

    /// <summary>Stops the server if a test started it; does nothing otherwise. For a root <c>[OneTimeTearDown]</c>.</summary>
    public static async ValueTask DisposeIfStartedAsync()
    {
        Task<ClickHouseServer>? instance;
        lock (Gate)
        {
            instance = _instance;
            _instance = null;
        }

        if (instance is null)
        {
            return;
        }

        ClickHouseServer server;
        try
        {
            server = await instance;
        }
        catch (InvalidOperationException)
        {
            return; // It never started; the failed start already cleaned up.
        }

        await server.DisposeAsync();
    }

    /// <summary>Options for a client of this server in <paramref name="database"/>, with quick retries.</summary>
    public ClickHouseOptions CreateOptions(string database) => new()
    {
        Url = Url.ToString(),
        Database = database,
        RequestTimeout = TimeSpan.FromSeconds(30),
        MaxRetryAttempts = 3,
        RetryDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>A client of this server in <paramref name="database"/> (which need not exist).</summary>
    public ClickHouseClient CreateClient(string database) => new(_httpClient, CreateOptions(database));

    /// <summary>
    /// Creates a new database with a unique name (<paramref name="prefix"/> plus a random suffix) and applies all
    /// migrations to it with <see cref="ClickHouseMigrator"/>. Dispose the result to drop it.
    /// </summary>
    public async Task<ClickHouseTestDatabase> CreateDatabaseAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        var name = $"{ClickHouseSql.Identifier(prefix ?? "test")}_{Guid.NewGuid():N}";
        var client = CreateClient(name);
        var database = new ClickHouseTestDatabase(client);
        try
        {
            await new ClickHouseMigrator(client).ApplyAsync(cancellationToken);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }

        return database;
    }

    /// <summary>Stops a server this run started (SIGTERM, then a kill after 20 s) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        _httpClient.Dispose();
        if (_process is not null)
        {
            await StopAsync(_process);
            _process.Dispose();
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A stray file still open by a dying server; .cache/ is git-ignored, so leave it.
            }
        }
    }

    private static async Task<ClickHouseServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            if (!Uri.TryCreate(external, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"{EnvironmentVariable} must be the HTTP URL of a ClickHouse server, e.g. http://127.0.0.1:8123, not '{external}'.");
            }

            var server = new ClickHouseServer(url, null, null, new Queue<string>());
            if (!await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(10)))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException(
                    $"The ClickHouse server at {url} ({EnvironmentVariable}) does not answer GET /ping. Start it, or unset "
                    + $"{EnvironmentVariable} to let the tests start a private server (needs scripts/setup).");
            }

            return server;
        }

        // A port picked free here may be taken before the server binds it; StartPrivateAsync tries new ports.
        return await StartPrivateAsync();
    }

    /// <summary>
    /// Starts a local server of the caller's own (not the shared one), for a test that stops and restarts it;
    /// dispose it to stop it and delete its data.
    /// </summary>
    public static async Task<ClickHouseServer> StartPrivateAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartLocalAsync();
            }
            catch (PortInUseException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Stops a local server and keeps its data, as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            throw new InvalidOperationException("Only a server this run started can be stopped.");
        }

        await StopAsync(_process);
    }

    /// <summary>Starts a stopped local server again, on the same ports and data.</summary>
    public async Task RestartAsync()
    {
        if (_process is null || _directory is null)
        {
            throw new InvalidOperationException("Only a server this run started can be restarted.");
        }

        await StopAsync(_process);
        _process.Dispose();
        _process = Launch(FindRepositoryRoot(), _directory, Url.Port, _tcpPort, _stderr);
        if (!await WaitUntilReadyAsync(StartTimeout))
        {
            throw new InvalidOperationException($"The local ClickHouse server did not come back at {Url}:\n{StderrTail()}");
        }
    }

    private static async Task<ClickHouseServer> StartLocalAsync()
    {
        var root = FindRepositoryRoot();
        var parent = Path.Combine(root, ".cache", "test-clickhouse");
        DeleteStaleDirectories(parent);
        var directory = Path.Combine(parent, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var httpPort = FreePort.Next();
        var tcpPort = FreePort.Next();
        while (tcpPort == httpPort)
        {
            tcpPort = FreePort.Next();
        }

        var stderr = new Queue<string>();
        var command = Command(root, directory, httpPort, tcpPort);
        Process process;
        try
        {
            process = Launch(root, directory, httpPort, tcpPort, stderr);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"Could not run `{command}`: {e.Message}. Run scripts/setup.", e);
        }

        var server = new ClickHouseServer(new Uri($"http://127.0.0.1:{httpPort}/"), process, directory, stderr, tcpPort);
        if (await server.WaitUntilReadyAsync(StartTimeout))
        {
            return server;
        }

        var exited = process.HasExited;
        await server.DisposeAsync();
        var tail = server.StderrTail();
        if (tail.Contains("Address already in use", StringComparison.Ordinal))
        {
            throw new PortInUseException();
        }

        throw new InvalidOperationException(
            $"The local ClickHouse server did not answer GET {server.Url}ping within {StartTimeout.TotalSeconds:0} s"
            + (exited ? $" (it exited with code {process.ExitCode})" : "") + $".\nCommand: {command}\n"
            + $"Its output (last {StderrLines} lines):\n{tail}\n"
            + "To fix: run scripts/setup (installs the clickhouse-server Debian package), run the command above by hand to "
            + $"see the error, or set {EnvironmentVariable} to the URL of a running server.");
    }

    private static string Command(string root, string directory, int httpPort, int tcpPort) =>
        $"METERING_PARENT_PID={Environment.ProcessId} {Path.Combine(root, "scripts", "clickhouse-server")} --dir {directory} --http-port {httpPort} --tcp-port {tcpPort}";

    private static Process Launch(string root, string directory, int httpPort, int tcpPort, Queue<string> stderr)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(root, "scripts", "clickhouse-server"), "--dir", directory, "--http-port", $"{httpPort}", "--tcp-port", $"{tcpPort}" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.Environment["METERING_PARENT_PID"] = $"{Environment.ProcessId}";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
        process.ErrorDataReceived += (_, e) => Remember(stderr, e.Data);
        process.OutputDataReceived += (_, e) => Remember(stderr, e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private async Task<bool> WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var delay = TimeSpan.FromMilliseconds(20);
        while (!deadline.IsCancellationRequested)
        {
            if (_process is { HasExited: true })
            {
                return false;
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                using var response = await _httpClient.GetAsync(new Uri(Url, "ping"), attempt.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Not listening yet.
            }

            try
            {
                // Polling with a short, growing interval until the deadline; not a fixed wait.
                await Task.Delay(delay, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }

        return false;
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        // SIGTERM lets the script stop the server cleanly; .NET has no API for it, so ask kill(1).
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", $"{process.Id}"]) { UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1): fall through to Process.Kill below.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            return string.Join('\n', _stderr);
        }
    }

    private static void Remember(Queue<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Enqueue(line);
            while (lines.Count > StderrLines)
            {
                lines.Dequeue();
            }
        }
    }

    // A run that was killed cannot delete its directory (its server stops with it); clear those left over
    // for a day. Younger ones may belong to a test run going on in parallel.
    private static void DeleteStaleDirectories(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        var cutoff = TimeProvider.System.GetUtcNow().UtcDateTime - TimeSpan.FromDays(1);
        foreach (var stale in new DirectoryInfo(parent).EnumerateDirectories().Where(d => d.LastWriteTimeUtc < cutoff))
        {
            try
            {
                stale.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort; .cache/ is git-ignored.
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Metering.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"Cannot find the repository root (a folder with Metering.sln) above {AppContext.BaseDirectory}; "
            + $"set {EnvironmentVariable} to the URL of a running ClickHouse server instead.");
    }

    private sealed class PortInUseException : Exception;
}
