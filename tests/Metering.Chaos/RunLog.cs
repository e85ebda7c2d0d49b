using System.Diagnostics;
using System.Globalization;

namespace Metering.Chaos;

/// <summary>Timestamped lines to the run's output, from any thread.</summary>
internal sealed class RunLog(TextWriter output)
{
    private readonly TextWriter _output = TextWriter.Synchronized(output);
    private readonly long _started = Stopwatch.GetTimestamp();

    public TextWriter Output => _output;

    public void Line(string message) =>
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Stopwatch.GetElapsedTime(_started).TotalSeconds,7:F1}s] {message}"));

    public void Plain(string message) => _output.WriteLine(message);
}
