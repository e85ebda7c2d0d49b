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
            Assert.That(ClickHouseMigrator.Migrations.SelectMany(m => m.Statements),
                Has.All.Match(@"IF NOT EXISTS|^ALTER TABLE \w+ ADD COLUMN "), "every statement can be applied twice");
        }
    }

    [TestCase("ALTER TABLE rollups ADD COLUMN last_event_ms Int64 DEFAULT 0", ClickHouseErrorCodes.IllegalColumn,
        "Cannot add column last_event_ms: column with this name already exists", true)]
    [TestCase("alter table rollups\nadd column x Int64", ClickHouseErrorCodes.DuplicateColumn,
        "Cannot add column `x`: column with this name already exists. (DUPLICATE_COLUMN) (version 24.3.1.1)", true)]
    [TestCase("ALTER TABLE rollups ADD COLUMN x Nope", ClickHouseErrorCodes.IllegalColumn, "Unknown data type family: Nope", false)]
    [TestCase("ALTER TABLE rollups DROP COLUMN x", ClickHouseErrorCodes.IllegalColumn, "column with this name already exists", false)]
    [TestCase("CREATE TABLE IF NOT EXISTS t (x Int64) ENGINE = Memory", ClickHouseErrorCodes.DuplicateColumn,
        "Column x already exists", false)]
    [TestCase("ALTER TABLE rollups ADD COLUMN x Int64", ClickHouseErrorCodes.UnknownTable, "Table metering.rollups doesn't exist.", false)]
    public void IsColumnAlreadyAdded_StatementAndError_TellsAnAppliedAddColumn(string statement, int code, string message, bool expected)
    {
        var error = new ClickHouseException(code, message);

        Assert.That(ClickHouseMigrator.IsColumnAlreadyAdded(statement, error), Is.EqualTo(expected));
    }
}
