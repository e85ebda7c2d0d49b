using System.Globalization;

namespace Metering.Chaos;

/// <summary>
/// What a chaos run does (<c>make chaos CHAOS_ARGS="--events N --kills K ..."</c>). The defaults are the full run of the
/// issue: a million events, ten kills of the aggregator and a second instance that joins and leaves.
/// </summary>
internal sealed record ChaosOptions
{
    /// <summary>The aggregator's base window; the oracle buckets with the same size.</summary>
    public static readonly TimeSpan WindowSize = TimeSpan.FromMinutes(1);

    /// <summary>A window is final once the watermark passes its end plus this.</summary>
    public static readonly TimeSpan AllowedLateness = TimeSpan.FromMinutes(2);

    /// <summary>Watermark = the largest event time of a partition minus this.</summary>
    public static readonly TimeSpan OutOfOrderness = TimeSpan.FromSeconds(5);

    /// <summary>Events sent, duplicates included (HTTP retries of the same request are not counted).</summary>
    public int Events { get; init; } = 1_000_000;

    /// <summary>SIGKILLs of the main aggregator instance (a killed second instance adds one).</summary>
    public int Kills { get; init; } = 10;

    public int Accounts { get; init; } = 50;

    public int SubjectsPerAccount { get; init; } = 20;

    /// <summary>Events a second, across all accounts: it sets how long the run lasts.</summary>
    public int EventsPerSecond { get; init; } = 4_000;

    public int MinBatch { get; init; } = 100;

    public int MaxBatch { get; init; } = 1_000;

    /// <summary>Share of sent events that are exact copies of an event sent before.</summary>
    public double DuplicateShare { get; init; } = 0.10;

    /// <summary>Share of events whose time is up to 30 s before now (still on time).</summary>
    public double OutOfOrderShare { get; init; } = 0.05;

    /// <summary>Share of events at least 10 minutes old, sent once their window is surely final.</summary>
    public double LateShare { get; init; } = 0.005;

    /// <summary>Whether a second aggregator instance joins and leaves during the run.</summary>
    public bool SecondInstance { get; init; } = true;

    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>How long the last aggregator may take to cover every offset once the generator is done.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Keep the ClickHouse database after the run (for a look with clickhouse-client).</summary>
    public bool KeepDatabase { get; init; }

    public const string Usage =
        "options: --events N --kills N --accounts N --subjects N --rate EVENTS_PER_S --batch-min N --batch-max N "
        + "--duplicates SHARE --out-of-order SHARE --late SHARE --second-instance true|false --seed N "
        + "--drain-timeout SECONDS --keep-database true|false";

    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ChaosOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{args[i]} needs a value; {Usage}");
            }

            var value = args[i + 1];
            options = args[i] switch
            {
                "--events" => options with { Events = Int(value) },
                "--kills" => options with { Kills = Int(value) },
                "--accounts" => options with { Accounts = Int(value) },
                "--subjects" => options with { SubjectsPerAccount = Int(value) },
                "--rate" => options with { EventsPerSecond = Int(value) },
                "--batch-min" => options with { MinBatch = Int(value) },
                "--batch-max" => options with { MaxBatch = Int(value) },
                "--duplicates" => options with { DuplicateShare = Share(value) },
                "--out-of-order" => options with { OutOfOrderShare = Share(value) },
                "--late" => options with { LateShare = Share(value) },
                "--second-instance" => options with { SecondInstance = bool.Parse(value) },
                "--seed" => options with { Seed = Int(value) },
                "--drain-timeout" => options with { DrainTimeout = TimeSpan.FromSeconds(Int(value)) },
                "--keep-database" => options with { KeepDatabase = bool.Parse(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; {Usage}"),
            };
        }

        options.Validate();
        return options;
    }

    public void Validate()
    {
        if (Events < 1 || Kills < 0 || Accounts < 1 || SubjectsPerAccount < 1 || EventsPerSecond < 1
            || MinBatch < 1 || MaxBatch < MinBatch || MaxBatch > 1_000)
        {
            throw new ArgumentException(
                "--events, --accounts, --subjects and --rate must be positive, --kills 0 or more, 1 <= --batch-min <= --batch-max <= 1000.");
        }

        if (DuplicateShare + OutOfOrderShare + LateShare >= 1)
        {
            throw new ArgumentException("--duplicates + --out-of-order + --late must stay below 1.");
        }
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Share(string value)
    {
        var share = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return share is >= 0 and < 1 ? share : throw new ArgumentException($"A share must be in [0, 1), not {value}.");
    }
}
