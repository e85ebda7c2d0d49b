using System.Globalization;

namespace Metering.Ingest.Benchmarks;

/// <summary>
/// What to send: <c>--events N --concurrency C --batch B --warmup S</c>; for <c>S</c> seconds before the clock starts,
/// the gateway is sent the same requests at the same concurrency.
/// </summary>
internal sealed record BenchmarkOptions(int Events, int Concurrency, int Batch, int WarmUpSeconds)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(1_000_000, 8, 1_000, 3);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--events" => options with { Events = value },
                "--concurrency" => options with { Concurrency = value },
                "--batch" => options with { Batch = value },
                "--warmup" => options with { WarmUpSeconds = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --events N --concurrency C --batch B --warmup S."),
            };
        }

        return options;
    }
}
