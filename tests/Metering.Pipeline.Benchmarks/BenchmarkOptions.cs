using System.Globalization;

namespace Metering.Pipeline.Benchmarks;

/// <summary>
/// What to preload and measure: <c>--events N --duplicates F --partitions P --accounts A --subjects S --hours H
/// --recovery on|off --restart-group new|same</c>.
/// </summary>
internal sealed record BenchmarkOptions(
    int Events,
    double Duplicates,
    int Partitions,
    int Accounts,
    int Subjects,
    int Hours,
    bool Recovery,
    bool RestartInNewGroup)
{
    private const string Usage =
        "use --events N --duplicates F --partitions P --accounts A --subjects S --hours H --recovery on|off --restart-group new|same";

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(2_000_000, 0.02, 8, 1_000, 20, 4, Recovery: true, RestartInNewGroup: true);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option {args[i]} has no value; {Usage}.");
            }

            var value = args[i + 1];
            options = args[i] switch
            {
                "--events" => options with { Events = Positive(args[i], value) },
                "--duplicates" => options with { Duplicates = Fraction(args[i], value) },
                "--partitions" => options with { Partitions = Positive(args[i], value) },
                "--accounts" => options with { Accounts = Positive(args[i], value) },
                "--subjects" => options with { Subjects = Positive(args[i], value) },
                "--hours" => options with { Hours = Positive(args[i], value) },
                "--recovery" => options with { Recovery = Choice(args[i], value, "on", "off") },
                "--restart-group" => options with { RestartInNewGroup = Choice(args[i], value, "new", "same") },
                _ => throw new ArgumentException($"Unknown option {args[i]}; {Usage}."),
            };
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is >= 0 and < 1
            ? f
            : throw new ArgumentException($"{name} must be a fraction in [0, 1), not '{value}'.");

    private static bool Choice(string name, string value, string yes, string no) =>
        value == yes || (value == no ? false : throw new ArgumentException($"{name} must be {yes} or {no}, not '{value}'."));
}
