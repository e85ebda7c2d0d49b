using Metering.Chaos.Oracle;

namespace Metering.Chaos.Generation;

/// <summary>What the generator sent and what it expects from it.</summary>
internal sealed record GeneratorResult(
    ExpectedUsage Expected, long Events, long Duplicates, long OutOfOrder, long Late, long Requests, long Retries);
