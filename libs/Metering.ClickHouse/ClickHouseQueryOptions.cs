namespace Metering.ClickHouse;

/// <summary>Per-call options of <see cref="ClickHouseClient"/>.</summary>
public sealed class ClickHouseQueryOptions
{
    /// <summary>
    /// The database the statement runs in: <see langword="null"/> for the client's database
    /// (<see cref="ClickHouseOptions.Database"/>), <see cref="NoDatabase"/> for none (the server's default),
    /// e.g. for <c>CREATE DATABASE</c>.
    /// </summary>
    public string? Database { get; init; }

    /// <summary>Sent as <c>query_id</c>; kept across retries. Must be unique among running queries.</summary>
    public string? QueryId { get; init; }

    /// <summary>
    /// ClickHouse settings for this call (<c>max_execution_time</c>, …), sent as URL parameters; they override
    /// the client's defaults. Names must be plain identifiers.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>Pass as <see cref="Database"/> to run a statement without selecting a database.</summary>
    public const string NoDatabase = "";
}
