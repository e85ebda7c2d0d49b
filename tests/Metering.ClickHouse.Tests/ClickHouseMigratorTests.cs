namespace Metering.ClickHouse.Tests;

[TestFixture]
public sealed class ClickHouseMigratorTests
{
    [Test]
    public void SplitStatements_FileWithCommentsAndSeveralStatements_SplitsAtSemicolonsEndingLines()
    {
        const string Sql = """
            -- Header comment; with a semicolon
            CREATE TABLE IF NOT EXISTS a
            (
                x String -- trailing comment stays
            )
            ENGINE = Memory;

              -- indented comment
            CREATE TABLE IF NOT EXISTS b (s String DEFAULT 'x;y') ENGINE = Memory;
            SELECT 1
            """;

        string[] expected =
        [
            "CREATE TABLE IF NOT EXISTS a\n(\n    x String -- trailing comment stays\n)\nENGINE = Memory",
            "CREATE TABLE IF NOT EXISTS b (s String DEFAULT 'x;y') ENGINE = Memory",
            "SELECT 1",
        ];

        var statements = ClickHouseMigrator.SplitStatements(Sql);

        Assert.That(statements, Is.EqualTo(expected));
    }

    [Test]
    public void Migrations_Embedded_AreTheSchemaFilesInOrder()
    {
        var names = ClickHouseMigrator.Migrations.Select(m => m.Name).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(names, Is.Not.Empty);
            Assert.That(names, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(names, Does.Contain("0001_create_usage_events.sql"));
            Assert.That(ClickHouseMigrator.Migrations.SelectMany(m => m.Statements), Has.All.Contain("IF NOT EXISTS"));
        }
    }
}
