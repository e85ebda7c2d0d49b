using Metering.Testing;

namespace Metering.ClickHouse.Tests;

[TestFixture]
[Integration]
public sealed class ClickHouseMigratorIntegrationTests
{
    private ClickHouseServer _server = null!;

    [OneTimeSetUp]
    public async Task OneTimeSetUp() => _server = await ClickHouseServer.GetAsync();

    [Test]
    public async Task ApplyAsync_NewDatabase_AppliesEveryMigrationOnceThenNothing()
    {
        await using var database = new DatabaseScope(_server.CreateClient($"migrate_{Guid.NewGuid():N}"));
        var migrator = new ClickHouseMigrator(database.Client);
        var all = ClickHouseMigrator.Migrations.Select(m => m.Name).ToList();

        var first = await migrator.ApplyAsync();
        var second = await migrator.ApplyAsync();
        var recorded = await database.Client.QueryAsync(
            "SELECT name, checksum FROM schema_migrations FINAL ORDER BY name", TestJsonContext.Default.MigrationRow);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(all));
            Assert.That(second, Is.Empty);
            Assert.That(recorded.Select(r => r.Name), Is.EqualTo(all));
            Assert.That(recorded.Select(r => r.Checksum), Is.EqualTo(ClickHouseMigrator.Migrations.Select(m => m.Checksum)));
        }
    }

    [Test]
    public async Task ApplyAsync_TwoMigratorsAtOnce_BothSucceedAndEveryTableExists()
    {
        await using var database = new DatabaseScope(_server.CreateClient($"concurrent_{Guid.NewGuid():N}"));

        await Task.WhenAll(
            new ClickHouseMigrator(database.Client).ApplyAsync(),
            new ClickHouseMigrator(database.Client).ApplyAsync());
        var applied = await new ClickHouseMigrator(database.Client).GetAppliedAsync();

        Assert.That(applied.Keys, Is.EquivalentTo(ClickHouseMigrator.Migrations.Select(m => m.Name)));
    }

    [Test]
    public async Task ApplyAsync_SchemaThereButNotRecorded_AppliesEveryMigrationAgainWithoutError()
    {
        // As after a migrator that stopped between a statement and its record, or lost the race to another process:
        // CREATE … IF NOT EXISTS passes, and ALTER TABLE … ADD COLUMN meets the column it added before.
        await using var database = new DatabaseScope(_server.CreateClient($"reapply_{Guid.NewGuid():N}"));
        await new ClickHouseMigrator(database.Client).ApplyAsync();
        await database.Client.ExecuteAsync("DROP TABLE schema_migrations");

        var again = await new ClickHouseMigrator(database.Client).ApplyAsync();
        var columns = await database.Client.QueryAsync(
            $"SELECT name FROM system.columns WHERE database = {ClickHouseSql.Literal(database.Client.Database)} AND table = 'rollups'",
            TestJsonContext.Default.NameRow);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(ClickHouseMigrator.Migrations.Select(m => m.Name)));
            Assert.That(columns.Count(c => c.Name == "last_event_ms"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task CreateDatabaseAsync_AllMigrations_CreatesTheSchemaTables()
    {
        await using var database = await _server.CreateDatabaseAsync("schema");

        var tables = await database.Client.QueryAsync(
            $"SELECT name FROM system.tables WHERE database = {ClickHouseSql.Literal(database.Name)}",
            TestJsonContext.Default.NameRow);

        string[] expected = ["schema_migrations", "usage_events", "rollups", "progress", "dead_letters", "adjustments", "assignments", "sink_errors", "account_settings"];
        Assert.That(tables.Select(t => t.Name), Is.SupersetOf(expected));
    }

    [Test]
    public async Task DisposeAsync_TestDatabase_DropsIt()
    {
        var database = await _server.CreateDatabaseAsync("drop");
        var name = database.Name;

        await database.DisposeAsync();
        var count = await _server.CreateClient("system").QueryScalarAsync(
            $"SELECT count() AS c FROM system.databases WHERE name = {ClickHouseSql.Literal(name)}", TestJsonContext.Default.UInt64);

        Assert.That(count, Is.Zero);
    }

    /// <summary>Drops a database the test created without the fixture's migrations.</summary>
    private sealed class DatabaseScope(ClickHouseClient client) : IAsyncDisposable
    {
        public ClickHouseClient Client { get; } = client;

        public async ValueTask DisposeAsync() =>
            await Client.ExecuteAsync(
                "DROP DATABASE IF EXISTS " + ClickHouseSql.Identifier(Client.Database),
                new ClickHouseQueryOptions { Database = ClickHouseQueryOptions.NoDatabase });
    }
}
