namespace Metering.ClickHouse;

/// <summary>
/// Rows of one table encoded as <c>RowBinary</c>, ready for
/// <see cref="ClickHouseClient.InsertAsync(RowBinaryRows, ClickHouseQueryOptions?, CancellationToken)"/>: encoding is done
/// once, before the insert, so it can overlap another insert, and a retry sends the same bytes.
/// </summary>
public sealed class RowBinaryRows : IDisposable
{
    private readonly RowBinaryWriter _writer;

    internal RowBinaryRows(string table, IReadOnlyList<string> columns, int count, RowBinaryWriter writer)
    {
        Table = table;
        Columns = columns;
        Count = count;
        _writer = writer;
    }

    public string Table { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>The encoded rows.</summary>
    public ReadOnlyMemory<byte> Data => _writer.WrittenMemory;

    /// <summary>Encodes <paramref name="rows"/> for <paramref name="table"/>.</summary>
    /// <exception cref="ArgumentException">The table or a column is not a plain identifier.</exception>
    public static RowBinaryRows Encode<T>(string table, IReadOnlyCollection<T> rows)
        where T : IRowBinaryRow<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var builder = new RowBinaryRowsBuilder<T>(table);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        return builder.Build() ?? new RowBinaryRows(table, T.Columns, 0, new RowBinaryWriter(0));
    }

    /// <summary>Returns the buffer to the pool; <see cref="Data"/> is empty afterwards.</summary>
    public void Dispose() => _writer.Dispose();
}
