using Metering.Aggregator.Storage;
using Metering.ClickHouse;
using Metering.Events;

namespace Metering.Aggregator.Tests;

public sealed class StorageRowsTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 1, 11, 0, 0, TimeSpan.Zero);

    [Test]
    public void RollupRowRead_WithStrings_ReadsTheSameRowsAndSharesTheirRepeatedTexts()
    {
        RollupRow[] rows =
        [
            new("tokens", "acme", "core", "u-é", """{"model":"m"}""", Hour, Hour.AddHours(1), 3, 2, 2, 5, 1, 4, 4, 7, 8, ["a", "b"],
                DateTimeOffset.UnixEpoch, 10, Hour),
            new("tokens", "acme", "core", "u-é", """{"model":"m"}""", Hour.AddHours(1), Hour.AddHours(2), 3, 1, 0, 0, 0, 0, 0, 9, 9, [],
                Hour.AddHours(3), 13, Hour.AddHours(3)),
        ];
        using var encoded = RowBinaryRows.Encode("rollups", rows);
        var strings = new Utf8StringCache();

        var reader = new RowBinaryReader(encoded.Data.Span);
        var first = RollupRow.Read(ref reader, strings);
        var second = RollupRow.Read(ref reader, strings);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reader.End, Is.True);
            Assert.That(Values(first), Is.EqualTo(Values(rows[0])));
            Assert.That(Values(second), Is.EqualTo(Values(rows[1])));
            Assert.That(second.Account, Is.SameAs(first.Account));
            Assert.That(second.Subject, Is.SameAs(first.Subject));
            Assert.That(second.GroupBy, Is.SameAs(first.GroupBy));
        }
    }

    /// <summary>The row with its unique values joined: a record compares lists by reference.</summary>
    private static (RollupRow, string) Values(RollupRow row) => (row with { UniqueValues = [] }, string.Join('|', row.UniqueValues));
}
