namespace Metering.Chaos.Oracle;

/// <summary>One rollup row, summed over Kafka partitions: meter x account x team x subject x group-by x window.</summary>
internal readonly record struct RollupKey(string Meter, string Account, string Team, string Subject, string GroupBy, long WindowStartSeconds)
{
    public override string ToString() =>
        $"{Meter} {Account} team={Team} subject={(Subject.Length == 0 ? "-" : Subject)} [{GroupBy}] {Format.Time(WindowStartSeconds)}";
}
