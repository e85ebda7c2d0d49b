// make chaos: events through the gateway while the aggregator is killed, then ClickHouse against an independent oracle.
// Prints the kills, the events and every difference; the last line is the RESULT line; exits 1 on a difference.
#pragma warning disable RS0030 // A console tool prints its report to standard output.
using Metering.Chaos;
using Metering.Testing;

var output = Console.Out;
if (args.Contains("--help"))
{
    await output.WriteLineAsync(ChaosOptions.Usage);
    return 0;
}

ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

ChaosResult result;
try
{
    result = await ChaosRun.RunAsync(options, output, cancel.Token);
}
finally
{
    await TestDependencies.DisposeStartedAsync();
}

return result.Mismatches.Count == 0 ? 0 : 1;
