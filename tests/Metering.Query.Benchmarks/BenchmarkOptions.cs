using System.Globalization;

namespace Metering.Query.Benchmarks;

/// <summary>
/// What to load and how often to ask: <c>--accounts A --subjects S --days D --hours H --requests R --warmup W</c>. The
/// rollups cover days 1..D of October 2026, H active hours a day from 09:00 UTC (earlier when H is over 15). Each report
/// gets W untimed requests before its R timed ones.
/// </summary>
internal sealed record BenchmarkOptions(int Accounts, int Subjects, int Days, int Hours, int Requests, int WarmUp)
{
    private const string Usage =
        "use --accounts A --subjects S --days D (at most 31) --hours H (at most 24) --requests R --warmup W (0 for none)";

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(Accounts: 1_000, Subjects: 20, Days: 30, Hours: 8, Requests: 50, WarmUp: 100);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {args[i]} has no value; {Usage}.");
            }

            var value = args[i + 1];
            options = args[i] switch
            {
                "--accounts" => options with { Accounts = Positive(args[i], value, 1_000_000) },
                "--subjects" => options with { Subjects = Positive(args[i], value, 10_000) },
                "--days" => options with { Days = Positive(args[i], value, 31) },
                "--hours" => options with { Hours = Positive(args[i], value, 24) },
                "--requests" => options with { Requests = Positive(args[i], value, 100_000) },
                "--warmup" => options with { WarmUp = NonNegative(args[i], value, 100_000) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; {Usage}."),
            };
        }

        return options;
    }

    private static int Positive(string name, string value, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= max
            ? n
            : throw new ArgumentException($"{name} must be an integer from 1 to {max}, not '{value}'.");

    private static int NonNegative(string name, string value, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 && n <= max
            ? n
            : throw new ArgumentException($"{name} must be an integer from 0 to {max}, not '{value}'.");
}
