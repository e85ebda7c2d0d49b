using System.Globalization;

namespace Metering.Pipeline.Benchmarks;

/// <summary>A live process's figures from <c>/proc</c> (Linux): peak resident memory and CPU time used.</summary>
internal sealed record ProcessStats(double PeakRssMegabytes, double CpuSeconds)
{
    // USER_HZ: the unit of utime and stime in /proc/<pid>/stat; 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    public static ProcessStats Read(int processId)
    {
        var status = File.ReadAllLines($"/proc/{processId}/status");
        var hwm = status.Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kilobytes = long.Parse(hwm["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

        // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
        // state is field 3, utime field 14 and stime field 15.
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessStats(kilobytes / 1024.0, ticks / ClockTicksPerSecond);
    }

    /// <summary>The CPU time used by a live process and all its descendants (a server started through a script).</summary>
    public static double TreeCpuSeconds(int processId)
    {
        var seconds = Read(processId).CpuSeconds;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            var children = File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            seconds += children.Sum(child => TreeCpuSeconds(int.Parse(child, CultureInfo.InvariantCulture)));
        }

        return seconds;
    }
}
