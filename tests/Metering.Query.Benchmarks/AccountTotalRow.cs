namespace Metering.Query.Benchmarks;

/// <summary>An account's total of one meter ("" for all accounts together).</summary>
internal sealed record AccountTotalRow(string Account, double Total);
