using System.Globalization;

namespace Metering.Chaos;

/// <summary>The outcome of a run; <see cref="ResultLine"/> is the last line it prints.</summary>
internal sealed record ChaosResult(long Events, long Duplicates, int Kills, IReadOnlyList<string> Mismatches)
{
    public string ResultLine => string.Create(CultureInfo.InvariantCulture,
        $"RESULT events={Events} duplicates={Duplicates} kills={Kills} mismatches={Mismatches.Count}");
}
