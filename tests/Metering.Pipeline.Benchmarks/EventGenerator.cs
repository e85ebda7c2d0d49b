using System.Globalization;
using Metering.Events;

namespace Metering.Pipeline.Benchmarks;

/// <summary>
/// Realistic usage events of about 300 bytes, encoded as the gateway encodes them (<see cref="UsageEventCodec"/>): accounts
/// × subjects, the event types of <c>schemas/meters.json</c>, event times spread over a few hours ending now, and a
/// fraction of exact duplicates (same account, source, id, time and data; a new ingest stamp, as a client retry gets).
/// Deterministic for a given seed.
/// </summary>
internal sealed class EventGenerator(BenchmarkOptions options, DateTimeOffset now)
{
    private const int RecentCapacity = 10_000;
    private static readonly string[] Regions = ["eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
    private static readonly string[] Routes = ["/v1/orders/{id}", "/v1/orders", "/v1/customers/{id}", "/v1/invoices", "/v1/search"];
    private static readonly string[] Models = ["model-small", "model-medium", "model-large", "model-vision"];
    private static readonly string[] Products = ["editor", "viewer", "analytics"];

    public IEnumerable<(string Key, UsageEvent Event)> Generate(EventCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var random = new Random(20_240_501);
        var recent = new UsageEvent[RecentCapacity];
        var recentCount = 0;
        var span = TimeSpan.FromHours(options.Hours);
        var start = now - span;
        for (long i = 0; i < options.Events; i++)
        {
            // Exactly floor(N × fraction) duplicates, spread evenly, each of one of the last 10,000 distinct events.
            var duplicate = recentCount > 0
                && (long)Math.Floor((i + 1) * options.Duplicates) > (long)Math.Floor(i * options.Duplicates);
            UsageEvent usageEvent;
            if (duplicate)
            {
                var original = recent[random.Next(Math.Min(recentCount, RecentCapacity))];
                usageEvent = original with { IngestId = IngestId(random), IngestedAt = original.IngestedAt.AddMilliseconds(random.Next(100, 5_000)) };
                counts.Duplicates++;
            }
            else
            {
                var time = start + (span * ((double)i / options.Events)) - TimeSpan.FromMilliseconds(random.Next(30_000));
                usageEvent = Distinct(random, i, time < start ? start : time, counts);
                recent[recentCount++ % RecentCapacity] = usageEvent;
            }

            counts.Records++;
            counts.RecordsByType[usageEvent.Type] = counts.RecordsByType.GetValueOrDefault(usageEvent.Type) + 1;
            yield return (usageEvent.Account, usageEvent);
        }
    }

    private UsageEvent Distinct(Random random, long i, DateTimeOffset time, EventCounts counts)
    {
        var accountNumber = random.Next(options.Accounts);
        var account = $"acct-{accountNumber:D5}";
        var subject = $"user-{accountNumber:D5}-{random.Next(options.Subjects):D3}";
        var region = Regions[random.Next(Regions.Length)];
        var roll = random.Next(100);
        string type, source, data;
        double value;
        if (roll < 50)
        {
            (type, source, value) = ("api.request", "svc/api-gateway", random.Next(2, 900));
            data = $$"""{"method":"{{Methods[random.Next(Methods.Length)]}}","route":"{{Routes[random.Next(Routes.Length)]}}","status":200,"latency_ms":{{value}}}""";
        }
        else if (roll < 75)
        {
            (type, source, value) = ("flex.tokens", "svc/llm-gateway", random.Next(1, 8_192));
            data = $$"""{"tokens":{{value}},"model":"{{Models[random.Next(Models.Length)]}}","region":"{{region}}"}""";
        }
        else if (roll < 90)
        {
            (type, source, value) = ("product.session", "svc/sessions", random.Next(1, 3_600));
            data = $$"""{"duration_seconds":{{value}},"product":"{{Products[random.Next(Products.Length)]}}","region":"{{region}}"}""";
        }
        else
        {
            (type, source, value) = ("storage.usage", "svc/storage", random.Next(1, 2_000));
            data = $$"""{"gb":{{value}},"bucket":"bucket-{{accountNumber:D5}}-{{random.Next(3)}}","region":"{{region}}"}""";
        }

        counts.EventsByType[type] = counts.EventsByType.GetValueOrDefault(type) + 1;
        counts.ValueSumByType[type] = counts.ValueSumByType.GetValueOrDefault(type) + value;
        var id = string.Create(CultureInfo.InvariantCulture, $"evt-{i:D10}");
        return new UsageEvent(id, source, type, time, subject, account, data, IngestId(random), time.AddMilliseconds(random.Next(5, 400)));
    }

    private static string IngestId(Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"{random.NextInt64():x16}{random.NextInt64():x16}");
}
