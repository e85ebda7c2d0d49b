using Metering.ClickHouse;

namespace Metering.Testing;

/// <summary>A uniquely named ClickHouse database with all migrations applied; disposing it drops it.</summary>
public sealed class ClickHouseTestDatabase : IAsyncDisposable
{
    internal ClickHouseTestDatabase(ClickHouseClient client)
    {
        Client = client;
    }

    /// <summary>The database name.</summary>
    public string Name => Client.Database;

    /// <summary>A client whose statements run in this database.</summary>
    public ClickHouseClient Client { get; }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.ExecuteAsync(
                "DROP DATABASE IF EXISTS " + ClickHouseSql.Identifier(Name),
                new ClickHouseQueryOptions { Database = ClickHouseQueryOptions.NoDatabase });
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e))
        {
            // The server is going away with the test run; its data directory goes with it.
        }
    }
}
