#pragma warning disable RS0030 // A benchmark tells on standard error that it was cancelled.
using System.Globalization;
using System.Runtime.InteropServices;

namespace Metering.Testing;

/// <summary>The frame of a benchmark program: invariant culture, and Ctrl-C or SIGTERM unwinding instead of killing it.</summary>
public static class BenchmarkRun
{
    /// <summary>
    /// Runs <paramref name="benchmark"/>; on SIGINT or SIGTERM its token is cancelled so that it stops every process it
    /// started and removes their data, and the exit code is 130.
    /// </summary>
    public static async Task<int> RunAsync(string name, Func<CancellationToken, Task> benchmark)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var stop = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        try
        {
            await benchmark(stop.Token);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{name}: cancelled; stopped everything it started.");
            return 130;
        }
    }
}
