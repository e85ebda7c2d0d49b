using System.Globalization;

namespace Metering.Ingest.Benchmarks;

/// <summary>What to send: <c>--events N --concurrency C --batch B</c>.</summary>
internal sealed record BenchmarkOptions(int Events, int Concurrency, int Batch)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(1_000_000, 8, 1_000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--events" => options with { Events = value },
                "--concurrency" => options with { Concurrency = value },
                "--batch" => options with { Batch = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --events N --concurrency C --batch B."),
            };
        }

        return options;
    }
}
