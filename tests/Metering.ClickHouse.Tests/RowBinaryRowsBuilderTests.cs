namespace Metering.ClickHouse.Tests;

public sealed class RowBinaryRowsBuilderTests
{
    private static readonly Rows.RoundTripRow First = new(1, "é", ulong.MaxValue, 0.5, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), ["a"]);
    private static readonly Rows.RoundTripRow Second = new(2, "", 0, -1, DateTimeOffset.FromUnixTimeSeconds(0), []);

    [Test]
    public void Add_Rows_AreEncodedAsEncodeEncodesThemAndReadBack()
    {
        using var builder = new RowBinaryRowsBuilder<Rows.RoundTripRow>("t");
        builder.Add(First);
        builder.Add(Second);
        using var encoded = RowBinaryRows.Encode("t", [First, Second]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(builder.Count, Is.EqualTo(2));
            Assert.That(builder.Read(Rows.RoundTripRow.Read).Select(Values), Is.EqualTo(new[] { Values(First), Values(Second) }));
            using var built = builder.Build();
            Assert.That(built!.Data.ToArray(), Is.EqualTo(encoded.Data.ToArray()));
            Assert.That((built.Table, built.Count, built.Columns), Is.EqualTo((encoded.Table, encoded.Count, encoded.Columns)));
        }
    }

    [Test]
    public void Build_HandsTheRowsOver_AndLeavesTheBuilderEmpty()
    {
        using var builder = new RowBinaryRowsBuilder<Rows.RoundTripRow>("t");
        Assert.That(builder.Build(), Is.Null, "no rows, nothing to insert");
        builder.Add(First);

        using var built = builder.Build();
        builder.Add(Second);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(built!.Count, Is.EqualTo(1));
            Assert.That(builder.Count, Is.EqualTo(1));
            Assert.That(builder.Read(Rows.RoundTripRow.Read).Select(Values), Is.EqualTo(new[] { Values(Second) }));
        }
    }

    [Test]
    public void Add_RowThatCannotBeEncoded_ThrowsAndLeavesNothingOfIt()
    {
        using var builder = new RowBinaryRowsBuilder<Rows.RoundTripRow>("t");
        builder.Add(First);

        // The id and the text are written before the unpaired surrogate of a tag is found.
        Assert.That(() => builder.Add(Second with { Tags = ["ok", "a\ud800"] }), Throws.InstanceOf<ArgumentException>());
        builder.Add(Second);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(builder.Count, Is.EqualTo(2));
            Assert.That(builder.Read(Rows.RoundTripRow.Read).Select(Values), Is.EqualTo(new[] { Values(First), Values(Second) }));
        }
    }

    /// <summary>The row's values, its tags joined: a record compares arrays by reference.</summary>
    private static (uint, string, ulong, double, DateTimeOffset, string) Values(Rows.RoundTripRow row) =>
        (row.Id, row.Text, row.Big, row.Real, row.At, string.Join('|', row.Tags));

    [Test]
    public void New_InvalidTable_ThrowsBeforeWriting() =>
        Assert.Throws<ArgumentException>(() => _ = new RowBinaryRowsBuilder<Rows.RoundTripRow>("t; DROP TABLE x"));
}
